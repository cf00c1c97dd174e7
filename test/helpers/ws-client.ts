/**
 * A websocket client for tests: records every JSON message it receives and waits for the
 * first one that matches (already received or still to come).
 */
import WebSocket from 'ws';

export type WsMessage = { type: string; ticketId?: string; [k: string]: unknown };

export class WsClient {
  readonly messages: WsMessage[] = [];
  private waiters: Array<{ pred: (m: WsMessage) => boolean; resolve: (m: WsMessage) => void }> = [];
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (raw: Buffer) => {
      const m = JSON.parse(raw.toString()) as WsMessage;
      this.messages.push(m);
      this.waiters = this.waiters.filter((w) => {
        if (!w.pred(m)) return true;
        w.resolve(m);
        return false;
      });
    });
  }

  /** Connects; a refused upgrade rejects with `upgrade refused: HTTP <status>`. */
  static async open(url: string, headers: Record<string, string> = {}): Promise<WsClient> {
    const ws = new WebSocket(url, { headers });
    const c = new WsClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: HTTP ${res.statusCode}`)));
      ws.once('open', () => resolve());
    });
    return c;
  }

  /** The first message that matches; rejects after `ms` naming `what` and the types received. */
  next(pred: (m: WsMessage) => boolean, what = 'a matching message', ms = 15_000): Promise<WsMessage> {
    const seen = this.messages.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${what} arrived in ${ms} ms; got ${JSON.stringify(this.messages.map((m) => m.type))}`)), ms);
      this.waiters.push({
        pred,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      });
    });
  }

  close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }
}

/**
 * A private Dovecot IMAP server for a test: generated config in a temp dir, users from a
 * passwd-file there, maildirs there, plain IMAP on a free loopback port, no TLS. Run as
 * root it drops to Debian's dovecot/dovenull users (Dovecot refuses uid 0 for mail).
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, waitForGreeting } from './net.ts';

export const DOVECOT_BIN = ['/usr/sbin/dovecot', '/usr/local/sbin/dovecot'].find((p) => fs.existsSync(p)) ?? null;

/** Why Dovecot tests cannot run here, or null when they can. */
export function dovecotMissing(): string | null {
  if (!DOVECOT_BIN) return 'dovecot is not installed (apt-get install dovecot-imapd): the IMAP tests are skipped';
  if (!fs.existsSync('/usr/lib/dovecot/imap') && !fs.existsSync('/usr/libexec/dovecot/imap')) return 'dovecot-imapd is not installed: the IMAP tests are skipped';
  return null;
}

export interface Dovecot {
  host: string;
  port: number;
  dir: string;
  log(): string;
  stop(): Promise<void>;
}

function idOf(name: string, flag: '-u' | '-g'): number | null {
  const r = spawnSync('id', [flag, name], { encoding: 'utf8' });
  return r.status === 0 ? Number(r.stdout.trim()) : null;
}

export async function startDovecot(users: Array<{ user: string; password: string }>): Promise<Dovecot> {
  if (!DOVECOT_BIN) throw new Error('dovecot is not installed');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crossdesk-dovecot-'));
  fs.chmodSync(dir, 0o755);
  const root = process.getuid?.() === 0;
  const mailUid = root ? idOf('dovecot', '-u') : process.getuid?.();
  const mailGid = root ? idOf('dovecot', '-g') : process.getgid?.();
  if (mailUid == null || mailGid == null) throw new Error('no user to run dovecot mail processes as');
  const me = os.userInfo().username;
  const mail = path.join(dir, 'mail');
  fs.mkdirSync(mail);
  if (root) fs.chownSync(mail, mailUid, mailGid);
  for (const d of ['run', 'state']) fs.mkdirSync(path.join(dir, d));
  fs.writeFileSync(path.join(dir, 'passwd'), users.map((u) => `${u.user}:{PLAIN}${u.password}::::::\n`).join(''));
  const port = await freePort();
  const conf = `
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:${mail}/%u
first_valid_uid = ${Math.min(mailUid, 500)}
first_valid_gid = 0
default_internal_user = ${root ? 'dovecot' : me}
default_internal_group = ${root ? 'dovecot' : os.userInfo().username}
default_login_user = ${root ? 'dovenull' : me}
imap_idle_notify_interval = 1 secs
auth_failure_delay = 0
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/passwd
}
userdb {
  driver = static
  args = uid=${mailUid} gid=${mailGid} home=${mail}/%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
`;
  const confFile = path.join(dir, 'dovecot.conf');
  fs.writeFileSync(confFile, conf);
  const child = spawn(DOVECOT_BIN, ['-F', '-c', confFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  const log = () => {
    const file = path.join(dir, 'dovecot.log');
    return `${out}${fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : ''}`.slice(-4000);
  };
  try {
    const exited = () => {
      if (child.exitCode !== null) throw new Error(`dovecot exited with ${child.exitCode}: ${log()}`);
    };
    if (!(await waitForGreeting(port, { ms: 15_000, probeTimeoutMs: 500, check: exited }))) throw new Error(`dovecot did not answer on port ${port}: ${log()}`);
  } catch (e) {
    child.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    host: '127.0.0.1',
    port,
    dir,
    log,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

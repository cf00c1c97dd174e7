/**
 * A private Postfix relay for a test: its own config, queue and log in a temp dir, SMTP on a
 * free loopback port, relaying everything from 127.0.0.0/8 to one next hop (a sink in the
 * test), no DNS, no local delivery, no systemd. Postfix's master must start as root.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, waitForGreeting } from './net.ts';

const POSTFIX = '/usr/sbin/postfix';
const DAEMONS = '/usr/lib/postfix/sbin';

/** Why a private Postfix cannot run here, or null when it can. */
export function postfixMissing(): string | null {
  if (!fs.existsSync(POSTFIX) || !fs.existsSync(path.join(DAEMONS, 'master'))) return 'postfix is not installed (apt-get install postfix): the relay test is skipped';
  if (process.getuid?.() !== 0) return 'a private postfix needs root to start its master: the relay test is skipped';
  return null;
}

export interface Postfix {
  port: number;
  dir: string;
  log(): string;
  /** Asks the queue manager to retry deferred mail now. */
  flush(): Promise<void>;
  stop(): Promise<void>;
}

function run(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const p = spawn(POSTFIX, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (c: Buffer) => (out += c.toString()));
    p.stderr.on('data', (c: Buffer) => (out += c.toString()));
    p.on('error', (e) => resolve({ code: -1, out: e.message }));
    p.on('close', (code) => resolve({ code, out }));
  });
}

export async function startPostfix(opts: { nextHopPort: number }): Promise<Postfix> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crossdesk-postfix-'));
  fs.chmodSync(dir, 0o755);
  const conf = path.join(dir, 'conf');
  for (const d of ['conf', 'queue', 'data']) fs.mkdirSync(path.join(dir, d));
  // Postfix keeps its data directory as the mail_owner
  const owner = spawnSync('id', ['-u', 'postfix'], { encoding: 'utf8' });
  const group = spawnSync('id', ['-g', 'postfix'], { encoding: 'utf8' });
  if (owner.status !== 0) throw new Error('there is no postfix user (is the postfix package installed?)');
  fs.chownSync(path.join(dir, 'data'), Number(owner.stdout.trim()), Number(group.stdout.trim()));
  const port = await freePort();
  const log = path.join(dir, 'maillog');
  fs.writeFileSync(
    path.join(conf, 'main.cf'),
    `compatibility_level = 3.6
queue_directory = ${dir}/queue
data_directory = ${dir}/data
command_directory = /usr/sbin
daemon_directory = ${DAEMONS}
meta_directory = /etc/postfix
mail_owner = postfix
setgid_group = postdrop
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = relay.crossdesk.test
mydomain = crossdesk.test
mydestination =
local_transport = error:local delivery is off
relayhost = [127.0.0.1]:${opts.nextHopPort}
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject
alias_maps =
alias_database =
smtp_tls_security_level = none
smtpd_tls_security_level = none
smtp_dns_support_level = disabled
maillog_file = ${log}
maillog_file_prefixes = ${dir}
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
biff = no
`,
  );
  // chroot off everywhere: nothing to copy into a jail
  fs.writeFileSync(
    path.join(conf, 'master.cf'),
    [
      `127.0.0.1:${port} inet n - n - - smtpd`,
      'pickup unix n - n 60 1 pickup',
      'cleanup unix n - n - 0 cleanup',
      'qmgr unix n - n 300 1 qmgr',
      'rewrite unix - - n - - trivial-rewrite',
      'bounce unix - - n - 0 bounce',
      'defer unix - - n - 0 bounce',
      'trace unix - - n - 0 bounce',
      'verify unix - - n - 1 verify',
      'flush unix n - n 1000? 0 flush',
      'proxymap unix - - n - - proxymap',
      'smtp unix - - n - - smtp',
      'relay unix - - n - - smtp',
      'showq unix n - n - - showq',
      'error unix - - n - - error',
      'retry unix - - n - - error',
      'discard unix - - n - - discard',
      'anvil unix - - n - 1 anvil',
      'scache unix - - n - 1 scache',
      'postlog unix-dgram n - n - 1 postlogd',
      '',
    ].join('\n'),
  );
  const readLog = () => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : '');
  const started = await run(['-c', conf, 'start']);
  if (started.code !== 0) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw new Error(`postfix start failed (${started.code}): ${started.out}`);
  }
  // wait for the smtpd listener
  if (!(await waitForGreeting(port, { ms: 15_000 }))) {
    await run(['-c', conf, 'abort']);
    throw new Error(`postfix did not listen on ${port}: ${readLog()}`);
  }
  return {
    port,
    dir,
    log: readLog,
    async flush() {
      await run(['-c', conf, 'flush']);
    },
    async stop() {
      await run(['-c', conf, 'stop']);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

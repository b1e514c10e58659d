/** The parent's side of test/chaos/app-process.ts: spawn, command, observe and kill the app process. */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { AppProcessCommand, AppProcessReport, AppProcessSpec } from './app-process.js';

/** The app process as the test sees it: the latest status it reported, its transitions, its sends. */
export class AppProcess {
  state = 'starting';
  reason: string | null = null;
  /** When the reported state was entered (the app's clock: same machine). */
  since = 0;
  qr: string | null = null;
  lastTransitionAt = 0;
  /** The app's base URL once it listens. */
  url: string | null = null;
  readonly unhandled: string[] = [];
  private readonly sends = new Map<number, (ok: boolean) => void>();
  private req = 0;
  private readonly exited: Promise<void>;
  private readonly ready: Promise<void>;
  private onReady: () => void = () => undefined;

  constructor(readonly child: ChildProcess) {
    child.on('message', (r: AppProcessReport) => {
      if (r.type === 'status') {
        this.state = r.state;
        this.reason = r.reason;
        this.since = r.since;
        this.qr = r.qr;
      } else if (r.type === 'transition') this.lastTransitionAt = Math.max(this.lastTransitionAt, r.at);
      else if (r.type === 'sent') this.sends.get(r.req)?.(r.ok);
      else if (r.type === 'ready') this.onReady();
      else if (r.type === 'listening') this.url = r.url;
      else this.unhandled.push(r.error);
    });
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    this.ready = new Promise((resolve) => (this.onReady = resolve));
  }

  /** A process with every module loaded, waiting for `start` (see app-process.ts). */
  static spare(): AppProcess {
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'app-process.ts')], {
      env: { ...process.env, APP_PROCESS_SPARE: '1' },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    return new AppProcess(child);
  }

  /** Starts the app once the spare has loaded (a command sent before it listens would be lost). */
  start(spec: AppProcessSpec): this {
    void this.ready.then(() => this.command({ type: 'start', spec }));
    return this;
  }

  command(cmd: AppProcessCommand): void {
    if (this.child.connected) this.child.send(cmd);
  }

  send(jid: string, text: string): Promise<boolean> {
    const req = ++this.req;
    return new Promise((resolve) => {
      this.sends.set(req, resolve);
      this.command({ type: 'send', req, jid, text });
      void this.exited.then(() => resolve(false));
    });
  }

  async kill(signal: 'SIGKILL' | 'SIGTERM'): Promise<void> {
    this.child.kill(signal);
    await this.exited;
  }
}


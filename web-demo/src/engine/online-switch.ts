// The offline switch. The package's sync clients open their WebSocket
// through a factory. This one hands out sockets that stay in the
// CONNECTING state while the switch is off, and open the real WebSocket
// once it is on. Turning the switch off closes the open sockets, so the
// clients work on their offline logs until it is turned on again.

import type { WebSocketLike } from "echostream";

const CONNECTING = 0;
const OPEN = 1;
const CLOSED = 3;

export class OnlineSwitch {
  private online: boolean;
  private readonly sockets = new Set<SwitchedSocket>();
  private readonly listeners: Array<() => void> = [];

  constructor(online: boolean) {
    this.online = online;
  }

  get isOnline(): boolean {
    return this.online;
  }

  /** The factory to pass as `createSocket`. */
  readonly createSocket = (url: string): WebSocketLike => {
    const socket = new SwitchedSocket(url, () => this.sockets.delete(socket));
    this.sockets.add(socket);
    if (this.online) {
      socket.connect();
    }
    return socket;
  };

  set(online: boolean): void {
    if (online === this.online) {
      return;
    }
    this.online = online;
    for (const socket of [...this.sockets]) {
      if (online) {
        socket.connect();
      } else {
        socket.close(1000, "switched offline");
      }
    }
    for (const listener of this.listeners) {
      listener();
    }
  }

  subscribe(listener: () => void): void {
    this.listeners.push(listener);
  }
}

/** A WebSocket that opens only when `connect` is called, and forwards the real one's events. */
class SwitchedSocket implements WebSocketLike {
  private socket: WebSocket | null = null;
  private closed = false;
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;

  constructor(
    private readonly url: string,
    private readonly onDone: () => void,
  ) {}

  get readyState(): number {
    if (this.closed) {
      return CLOSED;
    }
    return this.socket?.readyState ?? CONNECTING;
  }

  connect(): void {
    if (this.socket || this.closed) {
      return;
    }
    const socket = new WebSocket(this.url);
    this.socket = socket;
    socket.onopen = (event) => this.onopen?.(event);
    socket.onmessage = (event) => this.onmessage?.({ data: event.data });
    socket.onerror = (event) => this.onerror?.(event);
    socket.onclose = (event) => this.finish(event.code, event.reason);
  }

  send(data: string): void {
    if (this.socket?.readyState === OPEN) {
      this.socket.send(data);
    }
  }

  close(code?: number, reason?: string): void {
    if (this.closed) {
      return;
    }
    if (this.socket && this.socket.readyState !== CLOSED) {
      this.socket.close(code, reason);
      return;
    }
    this.finish(code ?? 1000, reason ?? "");
  }

  private finish(code: number, reason: string): void {
    if (this.closed) {
      return;
    }
    this.closed = true;
    this.onDone();
    this.onclose?.({ code, reason });
  }
}

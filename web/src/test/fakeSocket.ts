// A stand-in for the browser's WebSocket, so tests can play the server's
// side of the live door (internal/ws/doc.go) without a network.
export class FakeWebSocket {
  static instances: FakeWebSocket[] = [];
  static last(): FakeWebSocket | undefined {
    return FakeWebSocket.instances[FakeWebSocket.instances.length - 1];
  }

  readonly url: string;
  readyState = 0;
  sent: unknown[] = [];
  onopen: ((e: Event) => void) | null = null;
  onmessage: ((e: MessageEvent) => void) | null = null;
  onclose: ((e: CloseEvent) => void) | null = null;
  onerror: ((e: Event) => void) | null = null;

  constructor(url: string) {
    this.url = url;
    FakeWebSocket.instances.push(this);
  }

  send(data: string) {
    this.sent.push(JSON.parse(data));
  }

  close(code = 1000) {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.onclose?.({ code } as CloseEvent);
  }

  // --- the server's side ---

  /** Accepts the connection. */
  open() {
    this.readyState = 1;
    this.onopen?.(new Event('open'));
  }

  /** Sends a message to the client. */
  receive(msg: unknown) {
    this.onmessage?.({ data: JSON.stringify(msg) } as MessageEvent);
  }

  /** Answers the last subscribe as the server does. */
  acknowledge() {
    const last = this.sent[this.sent.length - 1] as { all?: boolean; patients?: string[] } | undefined;
    this.receive({ type: 'subscribed', all: !!last?.all, patients: last?.patients ?? [] });
  }
}

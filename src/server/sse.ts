// GET /api/v1/events: the controller's events as server-sent events. A client resuming with
// `Last-Event-ID` first gets what it missed (from the controller's bounded buffer; a `gap` event
// when some of it is gone), then the live stream; a comment every heartbeat keeps proxies from
// closing an idle stream. Each client's unsent output is bounded: a client that stops reading is
// disconnected (it resumes later with Last-Event-ID) rather than grow the server's memory.
import type { ServerResponse } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ControllerView, SequencedEvent } from '../controller/model.js';
import { SSE_GAP_EVENT } from './api-types.js';

export interface SseOptions {
  heartbeatMs: number;
  /** Bytes written but not yet taken by the client's socket, beyond which it is dropped. */
  maxBufferBytes: number;
  /** How long the browser waits before reconnecting (the `retry:` field). */
  retryMs: number;
}

interface Client {
  res: ServerResponse;
  close(): void;
}

export class SseHub {
  readonly #clients = new Set<Client>();
  #dropped = 0;

  constructor(
    private readonly controller: ControllerView,
    private readonly options: SseOptions,
  ) {}

  get clients(): number {
    return this.#clients.size;
  }

  /** Clients disconnected because they did not keep up. */
  get dropped(): number {
    return this.#dropped;
  }

  open(req: FastifyRequest, reply: FastifyReply, lastEventId: number | undefined): void {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
      'x-content-type-options': 'nosniff',
    });
    let lastSent = lastEventId ?? 0;
    let replaying = true;
    const pending: SequencedEvent[] = [];
    let closed = false;

    // Judged on what is still unsent from earlier writes: one large event is fine, a backlog that
    // a client does not drain is not.
    const write = (chunk: string): void => {
      if (closed) return;
      if (res.writableLength > this.options.maxBufferBytes) {
        this.#dropped += 1;
        req.log.warn(
          { buffered: res.writableLength },
          'SSE client dropped: it does not read its events fast enough',
        );
        client.close();
        res.destroy();
        return;
      }
      res.write(chunk);
    };
    const send = (e: SequencedEvent): void => {
      if (e.id <= lastSent) return;
      lastSent = e.id;
      write(`id: ${e.id}\nevent: ${e.event.type}\ndata: ${JSON.stringify(e)}\n\n`);
    };

    // Subscribe before reading the buffer: an event arriving in between is held, not lost.
    const unsubscribe = this.controller.subscribe((e) => {
      if (replaying) pending.push(e);
      else send(e);
    });
    const heartbeat = setInterval(() => write(': heartbeat\n\n'), this.options.heartbeatMs);
    heartbeat.unref?.();
    const client: Client = {
      res,
      close: () => {
        if (closed) return;
        closed = true;
        clearInterval(heartbeat);
        unsubscribe();
        this.#clients.delete(client);
      },
    };
    this.#clients.add(client);
    res.on('close', client.close);
    req.raw.on('close', client.close);

    write(`retry: ${this.options.retryMs}\n: connected\n\n`);
    if (lastEventId !== undefined) {
      const { events, gap } = this.controller.eventsSince(lastEventId);
      if (gap)
        write(`event: ${SSE_GAP_EVENT}\ndata: ${JSON.stringify({ after: lastEventId })}\n\n`);
      for (const e of events) send(e);
    }
    replaying = false;
    for (const e of pending) send(e);
    pending.length = 0;
  }

  /** Ends every stream (the server is closing): clients reconnect with Last-Event-ID. */
  closeAll(): void {
    for (const c of [...this.#clients]) {
      c.close();
      c.res.end();
    }
  }
}

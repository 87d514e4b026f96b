/**
 * The NDJSON door: a TCP server, one JSON request per line, one reply line per request, in the
 * order the requests came (pipelining). A connection survives every bad request — invalid
 * UTF-8 or JSON, a non-object, an unknown command, bad fields, a line over the payload limit —
 * each answered with a typed error, and the next line is served. Replies are written piece by
 * piece and wait for the socket to drain (backpressure); reading pauses while more than
 * `PENDING_REQUESTS_MAX` requests of a connection wait.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { createLogger } from '../../common/index.js';
import type { Engine, Session } from '../engine.js';
import { GatewayError } from '../errors.js';
import { LineSplitter, type Frame } from './line-splitter.js';
import { encodeError, encodeSuccess } from './reply.js';
import { idFromPrefix, parseRequestLine } from './request.js';

export interface NdjsonServerOptions {
  /** Connections at once; past it a client gets one error line and is disconnected. */
  readonly maxConnections: number;
  /** Bytes of one request line. */
  readonly maxPayloadBytes: number;
  /** PEM certificate chain and key: the door then speaks TLS only. */
  readonly tls?: { readonly cert: Buffer; readonly key: Buffer };
}

/** Requests of one connection waiting to run before it stops reading. */
const PENDING_REQUESTS_MAX = 256;

const log = createLogger('gateway.ndjson');

export class NdjsonServer {
  readonly #server: Server;
  readonly #connections = new Set<Socket>();
  #closing = false;

  constructor(
    readonly engine: Engine,
    readonly options: NdjsonServerOptions,
  ) {
    // Half-open: a client may send its requests and close its side; the replies still go out.
    // With TLS, a client that does not speak it fails its handshake and is dropped (logged).
    this.#server =
      options.tls === undefined
        ? createServer({ allowHalfOpen: true }, (socket) => this.#accept(socket))
        : createTlsServer(
            {
              allowHalfOpen: true,
              cert: options.tls.cert,
              key: options.tls.key,
              minVersion: 'TLSv1.2',
            },
            (socket) => this.#accept(socket),
          ).on('tlsClientError', (error) =>
            log.warn('TLS handshake failed', { error: error.message }),
          );
  }

  listen(port: number, host: string): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, host, () => {
        this.#server.off('error', reject);
        resolve(this.#server.address() as AddressInfo);
      });
    });
  }

  /** Stop accepting; let each connection finish the requests it sent, then close it. */
  async close(): Promise<void> {
    this.#closing = true;
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const socket of this.#connections) socket.end();
    await closed;
  }

  #accept(socket: Socket): void {
    if (this.#closing || this.#connections.size >= this.options.maxConnections) {
      const error = this.#closing
        ? new GatewayError('E_SHUTTING_DOWN', 'the server is shutting down')
        : new GatewayError(
            'E_TOO_MANY_CONNECTIONS',
            `the server takes at most ${this.options.maxConnections} connections`,
          );
      socket.end(encodeError(null, error));
      return;
    }
    this.#connections.add(socket);
    const peer = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? 0}`;
    const session = this.engine.newSession(peer);
    const splitter = new LineSplitter(this.options.maxPayloadBytes);
    let queue: Promise<void> = Promise.resolve();
    let pending = 0;
    const enqueue = (frames: readonly Frame[]): void => {
      for (const frame of frames) {
        pending++;
        if (pending > PENDING_REQUESTS_MAX) socket.pause();
        queue = queue
          .then(() => this.#serve(socket, session, frame))
          .catch((error: unknown) => log.error('reply failed', { peer, error: String(error) }))
          .finally(() => {
            pending--;
            if (pending <= PENDING_REQUESTS_MAX / 2 && socket.isPaused()) socket.resume();
          });
      }
    };
    socket.on('data', (chunk: Buffer) => enqueue(splitter.push(chunk)));
    socket.on('end', () => {
      enqueue(splitter.end());
      void queue.then(() => socket.end());
    });
    socket.on('error', (error) => log.warn('connection error', { peer, error: error.message }));
    socket.on('close', () => {
      this.#connections.delete(socket);
      void queue.then(() => this.engine.endSession(session));
    });
  }

  async #serve(socket: Socket, session: Session, frame: Frame): Promise<void> {
    if (socket.destroyed) return;
    if (frame.kind === 'oversize') {
      await write(
        socket,
        encodeError(
          idFromPrefix(frame.prefix),
          new GatewayError(
            'E_ARG_TYPE',
            `the request line is longer than ${this.options.maxPayloadBytes} bytes (--max-payload-bytes)`,
          ),
        ),
      );
      return;
    }
    const parsed = parseRequestLine(frame.bytes);
    if (parsed.kind === 'invalid') {
      await write(socket, encodeError(parsed.id, parsed.error));
      return;
    }
    const { request } = parsed;
    let reply: Record<string, unknown>;
    try {
      reply = await this.engine.execute(session, request, (fields) => {
        // A progress line never waits: when the client is not reading, it is dropped.
        if (!socket.destroyed && !socket.writableNeedDrain)
          socket.write(`${JSON.stringify({ id: request.id, progress: fields })}\n`);
      });
    } catch (error) {
      await write(socket, encodeError(request.id, error));
      return;
    }
    for (const piece of encodeSuccess(request.id, reply)) await write(socket, piece);
  }
}

/** Write and, when the socket's buffer is full, wait for it to drain. */
function write(socket: Socket, text: string): Promise<void> {
  if (socket.destroyed) return Promise.resolve();
  if (socket.write(text)) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      socket.off('drain', done);
      socket.off('close', done);
      resolve();
    };
    socket.once('drain', done);
    socket.once('close', done);
  });
}

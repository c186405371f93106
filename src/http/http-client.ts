import type { ServerResponse } from "node:http";
import type { ClientInfo } from "../auth/principal.js";

/**
 * The client of one GraphQL request over HTTP (ClientInfo). Its `signal` aborts when the connection closes before
 * the answer is written, so queued password hashing is skipped. The AbortController and its close listener are built
 * only when something asks (a password check): building them for every request nearly doubled the bytes V8 promoted out of
 * the young generation. A class, not an object literal with a getter closing over `res`: that first try made V8
 * promote about 1.2 MB per scavenge instead of 0.15 MB (measured with --trace-gc-nvp). @see issue 17
 */
export class HttpClient implements ClientInfo {
  #controller: AbortController | undefined;

  constructor(
    readonly ipAddress: string | null,
    readonly userAgent: string | null,
    private readonly response: ServerResponse,
  ) {}

  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      const controller = new AbortController();
      const res = this.response;
      if (res.destroyed || res.socket?.destroyed) {
        if (!res.writableFinished) controller.abort();
      } else {
        res.once("close", () => {
          if (!res.writableFinished) controller.abort();
        });
      }
      this.#controller = controller;
    }
    return this.#controller.signal;
  }
}

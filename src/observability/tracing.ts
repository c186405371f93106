import type { ApolloServerPlugin } from "@apollo/server";
import { context, type Span, SpanStatusCode, trace, type Tracer } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import type { Store } from "../auth/ports/store.js";
import { operationOutcome } from "./outcome.js";

/** OpenTelemetry traces of one API instance: a span per HTTP request and GraphQL operation, and per store call. */
export interface Tracing {
  /** Runs one HTTP request inside its span. */
  around<T>(name: string, run: () => Promise<T>): Promise<T>;
  /** Names the request's span after its operation and records its outcome. */
  graphqlPlugin: ApolloServerPlugin;
  /** The store, with a span around each call (the database statements of the hot paths). */
  traceStore(store: Store): Store;
  /** Sends what is buffered and stops. */
  shutdown(): Promise<void>;
}

let contextManagerSet = false;

/**
 * Starts tracing to an OTLP/HTTP collector (`OTEL_EXPORTER_OTLP_ENDPOINT`). Span attributes carry names and codes
 * only: never variables, tokens, emails or addresses.
 */
export function startTracing(options: { endpoint: string; serviceName: string }): Tracing {
  if (!contextManagerSet) {
    // one per process: spans started inside a request find their parent through async context
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    contextManagerSet = true;
  }
  const exporter = new OTLPTraceExporter({ url: `${options.endpoint.replace(/\/$/, "")}/v1/traces` });
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ "service.name": options.serviceName }),
    spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: 500 })],
  });
  const tracer = provider.getTracer("graphql-auth-api");
  return {
    around: (name, run) => inSpan(tracer, name, run),
    graphqlPlugin: {
      async requestDidStart() {
        return {
          async willSendResponse(request) {
            const span = trace.getActiveSpan();
            if (!span) return;
            const { rootField, code, reason } = operationOutcome(request);
            const type = request.operation?.operation;
            if (rootField) span.updateName(`graphql ${type ?? "query"} ${rootField}`);
            if (type) span.setAttribute("graphql.operation.type", type);
            span.setAttribute("graphql.outcome", code);
            if (reason) span.setAttribute("graphql.reason", reason);
          },
        };
      },
    },
    traceStore: (store) => traceCalls(tracer, store),
    async shutdown() {
      await provider.forceFlush();
      await provider.shutdown();
    },
  };
}

async function inSpan<T>(tracer: Tracer, name: string, run: () => Promise<T>): Promise<T> {
  return tracer.startActiveSpan(name, async (span: Span) => {
    try {
      return await run();
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.name : "error" });
      throw error;
    } finally {
      span.end();
    }
  });
}

// every method of the store becomes a span "store.<method>", and nothing of its arguments; synchronous ones stay so
function traceCalls(tracer: Tracer, store: Store): Store {
  return new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== "function" || typeof property !== "string") return value;
      return (...args: unknown[]) =>
        tracer.startActiveSpan(`store.${property}`, (span) => {
          const ended = (error?: unknown) => {
            if (error) span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.name : "error" });
            span.end();
          };
          try {
            const result = value.apply(target, args);
            if (result instanceof Promise)
              return result.then(
                (answer) => (ended(), answer),
                (error: unknown) => (ended(error), Promise.reject(error)),
              );
            ended();
            return result;
          } catch (error) {
            ended(error);
            throw error;
          }
        });
    },
  });
}

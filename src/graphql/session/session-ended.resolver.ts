import type { GraphQLResolveInfo } from "graphql";
import { Ctx, Directive, Resolver, Root, Subscription } from "type-graphql";
import type { SessionRecord } from "../../auth/ports/store.js";
import type { GraphQLContext } from "../context.js";
import { enforceGuard, guardFor } from "../guards/guard.js";
import { Session } from "./session.type.js";

/** `sessionEnded`: the frontend's signal that its session ended elsewhere. */
@Resolver()
export class SessionEndedResolver {
  // Guarded when subscribing only: `@Authorized` would also re-check the session at the event, which by then
  // has ended. The directive shows the guard in the schema (and satisfies the start-up check).
  @Directive("@authorized")
  @Subscription(() => Session, {
    description:
      "Authenticated, over WebSocket. Emits once, when the calling session ends (on any instance), with its final status; the server then closes the socket with 4401.",
    subscribe: async ({ context, info }: { context: GraphQLContext; info: GraphQLResolveInfo }) => {
      await enforceGuard(context, guardFor([]), info);
      if (!context.socket) throw new Error("sessionEnded needs a WebSocket");
      return context.socket.sessionEnded();
    },
  })
  sessionEnded(@Root() session: SessionRecord, @Ctx() _ctx: GraphQLContext): Session {
    return session;
  }
}

import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from "@apollo/client";
import { createTokenManager, renewWithFetch, watchSessionEnded, webStorage, wsConnectionParams } from "graphql-auth-api/client";
import { createAuthLink } from "graphql-auth-api/client/apollo";
import { createClient } from "graphql-ws";

/** The API's endpoint: `?api=` (handy for tests), else VITE_API_URL, else a local API on its default port. */
export const endpoint = new URLSearchParams(location.search).get("api") ?? import.meta.env.VITE_API_URL ?? "http://localhost:4000/graphql";

/**
 * One token manager for the app. localStorage keeps users signed in across reloads and lets every tab start
 * signed in; the kit's default (memory) exposes less to injected scripts and still shares between open tabs.
 */
export const tokens = createTokenManager({ renew: renewWithFetch(endpoint), storage: webStorage(localStorage) });

/** Apollo Client 4: the kit's link adds the token, renews on TOKEN_EXPIRED and retries once. */
export const client = new ApolloClient({
  link: ApolloLink.from([createAuthLink(tokens), new HttpLink({ uri: endpoint })]),
  cache: new InMemoryCache(),
  defaultOptions: { query: { fetchPolicy: "network-only" } },
});

/** The `sessionEnded` subscription tells this page at once when its session ends elsewhere. */
const sockets = createClient({ url: endpoint.replace(/^http/, "ws"), connectionParams: wsConnectionParams(tokens), lazy: true });
watchSessionEnded(sockets, tokens);

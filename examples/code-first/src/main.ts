import { startApp } from "./app.js";

const { url } = await startApp({ port: Number(process.env.PORT ?? 4000) });
console.log(`ready at ${url}`);

import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

/** Where `npm run dev` sends API calls: the gateway of `npm start` unless QC_API_URL says otherwise. */
const api = process.env.QC_API_URL ?? "http://127.0.0.1:8080";

export default defineConfig({
  plugins: [react()],
  server: {
    // The gateway's development CORS default names this port (README "Public edge"); the proxy makes
    // the API same-origin anyway, as the gateway serves the built app.
    port: 5173,
    strictPort: true,
    proxy: Object.fromEntries(["/v1", "/healthz", "/readyz", "/docs"].map((path) => [path, { target: api }])),
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: true,
    target: "es2022",
  },
});

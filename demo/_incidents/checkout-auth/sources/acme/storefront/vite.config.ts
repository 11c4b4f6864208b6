import { sentryVitePlugin } from "@sentry/vite-plugin";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

export default defineConfig({
  build: { sourcemap: true },
  plugins: [
    react(),
    // Uploads source maps; frames are rewritten to app:///src/… paths.
    sentryVitePlugin({ org: "acme", project: "storefront" }),
  ],
});

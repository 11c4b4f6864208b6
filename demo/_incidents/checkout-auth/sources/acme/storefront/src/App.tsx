import * as Sentry from "@sentry/react";
import { BrowserRouter, Route, Routes } from "react-router-dom";
import { CheckoutPage } from "./pages/Checkout";

const SentryRoutes = Sentry.withSentryReactRouterV6Routing(Routes);

export function App() {
  return (
    <BrowserRouter>
      <SentryRoutes>
        <Route path="/checkout" element={<CheckoutPage />} />
        <Route path="/orders/:orderId" element={<p>Thank you for your order!</p>} />
      </SentryRoutes>
    </BrowserRouter>
  );
}

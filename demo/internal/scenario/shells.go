package scenario

import (
	"fmt"
	"strings"
)

// src turns a source text written in a Go raw string into the file: the
// leading newline goes and ‵ stands for a backquote (which a raw string
// cannot hold).
func src(s string) string {
	return strings.ReplaceAll(strings.TrimPrefix(s, "\n"), "‵", "`")
}

// Shells are the services an incident passes through without being the
// story: the shop's React app and the Node API gateway. Their code is the
// same shape in every incident (one page calling one API function; one
// route forwarding to one upstream), as it would be in one company.

// webCall is the storefront page whose action fails.
type webCall struct {
	Page, Handler  string // React component and its event handler
	APIFile, APIFn string // src/api/<APIFile>.ts exports APIFn
	Method         string
	PathExpr       string // the TypeScript expression of the path (id is the argument)
}

func (c webCall) files() map[string]string {
	return map[string]string{
		"src/api/client.ts": src(`
// Minimal JSON client for the shop's API (same origin, session cookie).
export async function apiFetch<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method,
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: "same-origin",
  });
  if (!res.ok) {
    throw new Error(method + " " + path + " failed: " + res.status + " " + res.statusText);
  }
  return (await res.json()) as T;
}
`),
		"src/api/" + c.APIFile + ".ts": src(`
import { apiFetch } from "./client";

export function ` + c.APIFn + `(id: string, input: Record<string, unknown> = {}) {
  return apiFetch<Record<string, unknown>>("` + c.Method + `", ` + c.PathExpr + `, input);
}
`),
		"src/pages/" + c.Page + ".tsx": src(`
import { useState } from "react";
import * as Sentry from "@sentry/react";
import { ` + c.APIFn + ` } from "../api/` + c.APIFile + `";

export function ` + c.Page + `({ id }: { id: string }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function ` + c.Handler + `() {
    setBusy(true);
    setError(null);
    try {
      await ` + c.APIFn + `(id);
    } catch (err) {
      Sentry.captureException(err);
      setError("Something went wrong. Please try again.");
    } finally {
      setBusy(false);
    }
  }

  return (
    <section>
      {error && <p role="alert">{error}</p>}
      <button disabled={busy} onClick={` + c.Handler + `}>Continue</button>
    </section>
  );
}
`),
	}
}

// symptom is the error the customer's browser reports for path.
func (c webCall) symptom(path string, status int, issue string) ErrSpec {
	return ErrSpec{Hop: 0, Symptom: true, Issue: issue, Count: 1873,
		Chain: Ex("Error", fmt.Sprintf("%s %s failed: %d %s", c.Method, path, status, Reason(status)),
			App("src/pages/"+c.Page+".tsx", "await "+c.APIFn+"(id);", c.Handler),
			App("src/api/"+c.APIFile+".ts", "return apiFetch", c.APIFn),
			App("src/api/client.ts", "throw new Error(method", "apiFetch"),
		)}
}

// gatewayRoute is a route of the Node API gateway forwarding to one
// upstream service.
type gatewayRoute struct {
	File, Handler string // src/routes/<File>.ts, the route's handler
	Method, Route string // express method and route
	Upstream      string // service slug
	PathExpr      string // the upstream path (TypeScript expression)
}

func (g gatewayRoute) files() map[string]string {
	env := strings.ToUpper(strings.ReplaceAll(g.Upstream, "-", "_")) + "_URL"
	return map[string]string{
		"src/lib/upstream.ts": src(`
import { fetch } from "undici";

export class UpstreamError extends Error {
  constructor(readonly service: string, readonly status: number, readonly body: string) {
    super(service + " answered " + status + ": " + body.slice(0, 200));
    this.name = "UpstreamError";
  }
}

const bases: Record<string, string> = {
  "` + g.Upstream + `": process.env.` + env + ` ?? "http://` + g.Upstream + `.internal:8080",
};

export async function forward(service: string, method: string, path: string, body?: unknown) {
  const res = await fetch(bases[service] + path, {
    method,
    headers: { "content-type": "application/json", accept: "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 400) {
    throw new UpstreamError(service, res.status, text);
  }
  return JSON.parse(text);
}
`),
		"src/routes/" + g.File + ".ts": src(`
import { Router } from "express";
import * as Sentry from "@sentry/node";
import { forward } from "../lib/upstream";

export const router = Router();

router.` + strings.ToLower(g.Method) + `("` + g.Route + `", async function ` + g.Handler + `(req, res) {
  try {
    const out = await forward("` + g.Upstream + `", "` + g.Method + `", ` + g.PathExpr + `, req.body);
    res.json(out);
  } catch (err) {
    Sentry.captureException(err);
    res.status(502).json({ error: "upstream_failed" });
  }
});
`),
	}
}

// failure is the gateway's error when the upstream answers status.
func (g gatewayRoute) failure(hop, status int, body, issue string) ErrSpec {
	return ErrSpec{Hop: hop, Issue: issue, Count: 1902,
		Chain: Ex("UpstreamError", fmt.Sprintf("%s answered %d: %s", g.Upstream, status, body),
			App("src/routes/"+g.File+".ts", "await forward(", g.Handler),
			App("src/lib/upstream.ts", "throw new UpstreamError(", "forward"),
			NodeTicks(),
		)}
}

// merge joins file maps.
func merge(ms ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

// RailsAction is the Rails dispatch down to a controller action.
func RailsAction() []Frame {
	f := func(fn, file string, line int, text string) Frame {
		return Sys("", fn, file, "/usr/local/bundle/gems/actionpack-7.2.2/lib/"+file, line, text)
	}
	return []Frame{
		f("process_action", "action_controller/metal/rescue.rb", 27, "      super"),
		f("process_action", "abstract_controller/base.rb", 226, "      process_action(action_name, *args)"),
		f("send_action", "action_controller/metal/basic_implicit_render.rb", 8, "      super.tap { default_render unless performed? }"),
	}
}

// SpringDispatch is Spring MVC dispatching a request to a controller.
func SpringDispatch() []Frame {
	f := func(module, fn, file string, line int) Frame {
		return Frame{Module: module, Function: fn, File: file, Abs: file, Line: line}
	}
	return []Frame{
		f("org.springframework.web.servlet.FrameworkServlet", "service", "FrameworkServlet.java", 885),
		f("org.springframework.web.servlet.DispatcherServlet", "doDispatch", "DispatcherServlet.java", 1089),
		f("org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerAdapter", "invokeHandlerMethod", "RequestMappingHandlerAdapter.java", 986),
		f("org.springframework.web.method.support.InvocableHandlerMethod", "doInvoke", "InvocableHandlerMethod.java", 255),
	}
}

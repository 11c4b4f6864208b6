package scenario

import "strconv"

// System frames the services' runtimes and libraries put around the
// application's own frames.

// FlaskDispatch is the Flask request dispatch down to a view function.
func FlaskDispatch() []Frame {
	f := func(fn string, line int, text string) Frame {
		return Sys("flask.app", fn, "flask/app.py", "/usr/local/lib/python3.12/site-packages/flask/app.py", line, text)
	}
	return []Frame{
		f("wsgi_app", 1511, "                response = self.full_dispatch_request()"),
		f("full_dispatch_request", 919, "            rv = self.handle_user_exception(e)"),
		f("handle_user_exception", 807, "            raise"),
		f("full_dispatch_request", 917, "                rv = self.dispatch_request()"),
		f("dispatch_request", 902, "        return self.ensure_sync(self.view_functions[rule.endpoint])(**view_args)  # type: ignore[no-any-return]"),
	}
}

// RaiseForStatus is requests' Response.raise_for_status raising HTTPError.
func RaiseForStatus(code int, reason, url string) Frame {
	msg := "'" + strconv.Itoa(code) + " Client Error: " + reason + " for url: " + url + "'"
	if code >= 500 {
		msg = "'" + strconv.Itoa(code) + " Server Error: " + reason + " for url: " + url + "'"
	}
	f := Sys("requests.models", "raise_for_status", "requests/models.py", "/usr/local/lib/python3.12/site-packages/requests/models.py", 1024,
		"            raise HTTPError(http_error_msg, response=self)")
	f.Vars = map[string]any{"self": "<Response [" + strconv.Itoa(code) + "]>", "http_error_msg": msg, "reason": "'" + reason + "'"}
	return f
}

// GoServe is net/http serving a request down to a handler registered on a
// ServeMux.
func GoServe() []Frame {
	f := func(fn string, line int, text string) Frame {
		return Sys("net/http", fn, "net/http/server.go", "/usr/local/go/src/net/http/server.go", line, text)
	}
	return []Frame{
		f("(*conn).serve", 2067, "\t\tserverHandler{c.server}.ServeHTTP(w, w.req)"),
		f("serverHandler.ServeHTTP", 3311, "\thandler.ServeHTTP(rw, req)"),
		f("(*ServeMux).ServeHTTP", 2828, "\th.ServeHTTP(w, r)"),
		f("HandlerFunc.ServeHTTP", 2286, "\tf(w, r)"),
	}
}

// NodeTicks is the microtask queue frame between awaits.
func NodeTicks() Frame {
	return Frame{Module: "task_queues", Function: "process.processTicksAndRejections", File: "node:internal/process/task_queues",
		Abs: "node:internal/process/task_queues", Line: 105, ColNo: 5}
}

// PyProfileBase is the stack (root first) of a gunicorn worker thread
// serving a Flask view, as sentry-python's profiler records it.
func PyProfileBase() []PFrame {
	return []PFrame{
		PyStd("_bootstrap", "threading", "threading.py", 1032),
		PyStd("_bootstrap_inner", "threading", "threading.py", 1075),
		PyStd("run", "threading", "threading.py", 1012),
		PyStd("_worker", "concurrent.futures.thread", "concurrent/futures/thread.py", 92),
		PyStd("run", "concurrent.futures.thread", "concurrent/futures/thread.py", 58),
		PySite("handle", "gunicorn.workers.gthread", "gunicorn/workers/gthread.py", 282),
		PySite("handle_request", "gunicorn.workers.gthread", "gunicorn/workers/gthread.py", 334),
		PySite("sentry_patched_wsgi_app", "sentry_sdk.integrations.flask", "sentry_sdk/integrations/flask.py", 89),
		PySite("__call__", "sentry_sdk.integrations.wsgi", "sentry_sdk/integrations/wsgi.py", 115),
		PySite("__call__", "flask.app", "flask/app.py", 1536),
		PySite("wsgi_app", "flask.app", "flask/app.py", 1511),
		PySite("full_dispatch_request", "flask.app", "flask/app.py", 917),
		PySite("dispatch_request", "flask.app", "flask/app.py", 902),
	}
}

// PySite names a frame of an installed Python package.
func PySite(fn, module, file string, line int) PFrame {
	return PFrame{Function: fn, Module: module, Path: file, Abs: "/usr/local/lib/python3.12/site-packages/" + file, Line: line}
}

// PyStd names a frame of the Python standard library.
func PyStd(fn, module, file string, line int) PFrame {
	return PFrame{Function: fn, Module: module, Path: file, Abs: "/usr/local/lib/python3.12/" + file, Line: line}
}

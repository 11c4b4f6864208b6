'use strict';
// What both services share: a JSON HTTP server that says when it is ready
// and flushes the SDK before it exits.
const http = require('node:http');
const Sentry = require('@sentry/node');

// readJSON reads a request's JSON body (at most 64 KiB).
function readJSON(req) {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => {
      body += chunk;
      if (body.length > 64 * 1024) {
        reject(new Error('request body too large'));
        req.destroy();
      }
    });
    req.on('end', () => {
      try {
        resolve(body ? JSON.parse(body) : {});
      } catch (err) {
        reject(err);
      }
    });
    req.on('error', reject);
  });
}

function sendJSON(res, status, value) {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

// serve runs handler(req, res, url) on PORT (default port; 0: any free
// port), prints "<name> listening on <addr>" once it accepts requests,
// and on SIGINT or SIGTERM stops, flushes the SDK and exits 0.
function serve(name, port, handler) {
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://localhost');
    try {
      await handler(req, res, url);
    } catch (err) {
      // A bug the handler did not expect: report it, then answer 500.
      Sentry.captureException(err);
      await Sentry.flush(2000);
      if (!res.headersSent) sendJSON(res, 500, { error: 'internal error' });
    }
  });
  const p = process.env.PORT !== undefined && process.env.PORT !== '' ? Number(process.env.PORT) : port;
  server.listen(p, '127.0.0.1', () => {
    const a = server.address();
    console.log(`${name} listening on ${a.address}:${a.port}`);
  });
  const stop = async () => {
    server.close();
    await Sentry.close(2000);
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return server;
}

module.exports = { readJSON, sendJSON, serve };

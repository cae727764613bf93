// Drives the official Fixie npm client (fixie@6.3.4) through a list of steps and prints, per step, what it saw.
// Run by tests/fidelity/test_control_plane_fixie.py: `node fixie_control_plane.mjs '<plan json>'` for one plan, or
// `node fixie_control_plane.mjs --serve` for one plan per stdin line and one report per stdout line.
//
// plan: {"url", "apiKey"?, "steps": [{"name", "op": "list"|"get", "agentId", "conversationId"?, "query"?,
//        "url"?, "apiKey"? (null: a client without a key)}]}
// List Conversations goes through the client's public requestJson() (6.3.4 has no list method), Get Conversation
// through getConversation(). Each step reports {name, ok, ms} and either `json` (what the client returned) with
// `raw` (the body text the client's fetch received), or `error` (the caught error as the caller sees it) with
// `raw` when an answer arrived.
import { FixieClient } from 'fixie';
import { FixieClientError } from 'fixie/src/client.js';
import { createInterface } from 'node:readline';

// The client calls the global fetch; keep a copy of each body's text (a tee of the stream, the client still reads
// its own) so the report can compare the bytes the client received, not just their parse.
const realFetch = globalThis.fetch;
let lastBody = null;
globalThis.fetch = async (...args) => {
  const response = await realFetch(...args);
  lastBody = response.clone().text().catch(() => null);
  return response;
};

function describeCause(cause) {
  if (cause === undefined || cause === null) {
    return null;
  }
  return { name: cause.name ?? null, code: cause.code ?? null, message: cause.message ?? String(cause) };
}

function describe(err) {
  const out = {
    isFixieClientError: err instanceof FixieClientError,
    name: err.name,
    message: err.message,
    statusCode: err.statusCode ?? null,
    statusText: err.statusText ?? null,
    detail: null,
    code: null,
  };
  const detail = err.detail;
  if (detail instanceof Error) {
    // A network failure: FixieClientError(statusCode 0) wrapping fetch's TypeError, whose cause names the socket error.
    out.detail = { name: detail.name, message: detail.message, cause: describeCause(detail.cause) };
    out.code = detail.cause?.code ?? null;
  } else if (detail !== undefined) {
    out.detail = detail;
  }
  return out;
}

const clients = new Map();
function clientFor(url, apiKey) {
  const key = JSON.stringify([url, apiKey]);
  if (!clients.has(key)) {
    clients.set(key, new FixieClient(apiKey === null ? { url } : { url, apiKey }));
  }
  return clients.get(key);
}

async function runPlan(plan) {
  const results = [];
  for (const step of plan.steps) {
    const url = step.url ?? plan.url;
    const apiKey = 'apiKey' in step ? step.apiKey : (plan.apiKey ?? null);
    const client = clientFor(url, apiKey);
    lastBody = null;
    const started = performance.now();
    try {
      let json;
      if (step.op === 'list') {
        const query = step.query ? `?${step.query}` : '';
        json = await client.requestJson(`/api/v1/agents/${step.agentId}/conversations${query}`);
      } else if (step.op === 'get') {
        json = await client.getConversation({ agentId: step.agentId, conversationId: step.conversationId });
      } else {
        throw new Error(`unknown op ${step.op}`);
      }
      const ms = performance.now() - started;
      results.push({ name: step.name, ok: true, ms, json, raw: lastBody === null ? null : await lastBody });
    } catch (err) {
      const ms = performance.now() - started;
      const raw = lastBody === null ? null : await lastBody;
      results.push({ name: step.name, ok: false, ms, error: describe(err), raw });
    }
  }
  return { node: process.version, steps: results };
}

if (process.argv[2] === '--serve') {
  // One plan per stdin line, one report per stdout line: the caller saves node's start-up between batches.
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.trim()) {
      console.log(JSON.stringify(await runPlan(JSON.parse(line))));
    }
  }
} else {
  console.log(JSON.stringify(await runPlan(JSON.parse(process.argv[2]))));
}

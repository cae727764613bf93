// Drives a whole conversation through the official Fixie npm client (fixie@6.3.4) against the emulator and prints
// what it saw as JSON. Run by tests/fidelity/test_fixie_lifecycle.py: `node fixie_lifecycle.mjs '<plan json>'`.
//
// startConversation, sendMessage and regenerate return the client's own JSON Lines reader (a ReadableStream of
// snapshots); stopGeneration is a plain request() whose answer the client does not read. To stop a reply while it
// is generating, the emulator's clock is frozen (PUT /_emulator/clock): a reply then waits at its first snapshot
// until it is stopped or the clock runs again. Errors are the client's own FixieClientError, reported as JSON.
import { FixieClient } from 'fixie';
import { failure } from './failure.mjs';

const plan = JSON.parse(process.argv[2]);
const client = new FixieClient({ url: plan.url, apiKey: plan.apiKey });
const other = new FixieClient({ url: plan.url, apiKey: plan.otherApiKey });
const anonymous = new FixieClient({ url: plan.url }); // as the useFixie hook builds it: no key
const badKey = new FixieClient({ url: plan.url, apiKey: 'not-a-key' });
const agentId = plan.agentId;

async function setClock(body) {
  const response = await fetch(`${plan.url}/_emulator/clock`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) {
    throw new Error(`clock: ${response.status} ${await response.text()}`);
  }
}

async function readAll(stream) {
  const values = [];
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) {
      return values;
    }
    values.push(value);
  }
}

async function rest(reader) {
  const values = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) {
      return values;
    }
    values.push(value);
  }
}

function list(c, id) {
  return c.requestJson(`/api/v1/agents/${id}/conversations?limit=100`);
}

const before = await list(client, agentId);
const theirsBefore = await list(other, plan.otherAgentId);

// 1. Start, with a message and metadata: snapshots of the whole conversation.
const started = await readAll(
  await client.startConversation({ agentId, message: 'Where is my order?', metadata: { page: 'checkout' } })
);
const conversationId = started.at(-1).id;
const afterStart = await list(client, agentId);

// 2. Send: snapshots of the reply's turn.
const sent = await readAll(await client.sendMessage({ agentId, conversationId, message: 'And the invoice?' }));

// 3. Stop a reply while it generates (clock frozen), after trying to talk over it.
await setClock({ frozen_at: new Date().toISOString() });
const held = (await client.sendMessage({ agentId, conversationId, message: 'Tell me everything' })).getReader();
const heldFirst = (await held.read()).value;
const busySend = await failure(client.sendMessage({ agentId, conversationId, message: 'Too soon' }));
const busyRegenerate = await failure(client.regenerate({ agentId, conversationId, messageId: heldFirst.id }));
const duringStop = await client.getConversation({ agentId, conversationId });
const stopAnswer = await client.stopGeneration({ agentId, conversationId, messageId: heldFirst.id });
const stopped = { status: stopAnswer.status, body: await stopAnswer.text(), rest: await rest(held) };
const afterStop = await client.getConversation({ agentId, conversationId });
await setClock({ offset_seconds: 0 });

// 4. Regenerate the stopped reply; 5. a message that makes the reply fail.
const regenerated = await readAll(await client.regenerate({ agentId, conversationId, messageId: heldFirst.id }));
const failed = await readAll(await client.sendMessage({ agentId, conversationId, message: 'emulator:error please' }));
const final = await client.getConversation({ agentId, conversationId });
const afterAll = await list(client, agentId);

// 6. The id header, through the client's public request() (as the 1.x client and the voice demo read it).
const raw = await client.request(`/api/v1/agents/${agentId}/conversations`, { message: 'header?' }, 'POST');
const header = {
  id: raw.headers.get('X-Fixie-Conversation-Id'),
  contentType: raw.headers.get('content-type'),
  body: await raw.text(),
};

// 7. No message: the client sends an empty POST and the agent greets; a published agent without a key.
const greeted = await readAll(await client.startConversation({ agentId: plan.legacyAgentId }));
const published = await readAll(
  await anonymous.startConversation({ agentId: plan.publishedAgentId, message: 'Hello from a browser' })
);
const publishedSent = await readAll(
  await anonymous.sendMessage({ agentId: plan.publishedAgentId, conversationId: published.at(-1).id, message: 'More' })
);
const publishedListed = await list(client, plan.publishedAgentId);

const unknown = plan.unknownId;
const errors = {
  notLatest: await failure(client.regenerate({ agentId, conversationId, messageId: final.turns[1].id })),
  unknownAgent: await failure(client.startConversation({ agentId: unknown, message: 'x' })),
  unknownConversation: await failure(client.sendMessage({ agentId, conversationId: unknown, message: 'x' })),
  unknownMessage: await failure(client.stopGeneration({ agentId, conversationId, messageId: unknown })),
  emptyMessage: await failure(client.sendMessage({ agentId, conversationId, message: '' })),
  badKey: await failure(badKey.startConversation({ agentId, message: 'x' })),
  anonymousPrivate: await failure(anonymous.startConversation({ agentId, message: 'x' })),
  otherTenantStart: await failure(other.startConversation({ agentId, message: 'x' })),
  otherTenantGet: await failure(other.getConversation({ agentId, conversationId })),
  otherTenantSend: await failure(other.sendMessage({ agentId, conversationId, message: 'x' })),
  otherTenantStop: await failure(other.stopGeneration({ agentId, conversationId, messageId: final.turns[1].id })),
};
const theirsAfter = await list(other, plan.otherAgentId);

console.log(
  JSON.stringify({
    before: before.pageInfo,
    afterStart,
    started,
    sent,
    held: { first: heldFirst, busySend, busyRegenerate, duringStop, stopped, afterStop },
    regenerated,
    failed,
    final,
    afterAll,
    header,
    greeted,
    published: { started: published, sent: publishedSent, listed: publishedListed },
    errors,
    theirs: { before: theirsBefore, after: theirsAfter },
  })
);

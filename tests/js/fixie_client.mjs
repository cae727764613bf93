// Drives the official Fixie npm client (fixie@6.3.4) against the emulator and prints what it saw as JSON.
// Run by tests/fidelity/test_fixie_js_client.py: `node fixie_client.mjs '<plan json>'`.
//
// 6.3.4 has no listConversations method: List Conversations goes through the client's public requestJson(), the
// way Fixie's own token-usage example does, paging like the SDK's only pager (FixieAgentBase.ListAgents): stop on a
// short page. Errors are reported by failure.mjs.
import { FixieClient } from 'fixie';
import { failure } from './failure.mjs';

const plan = JSON.parse(process.argv[2]);

async function walk(client, agentId, limit) {
  const pages = [];
  const conversations = [];
  for (let offset = 0; ; offset += limit) {
    const page = await client.requestJson(`/api/v1/agents/${agentId}/conversations?offset=${offset}&limit=${limit}`);
    pages.push({ offset, count: page.conversations.length, pageInfo: page.pageInfo });
    conversations.push(...page.conversations);
    if (page.conversations.length < limit) {
      return { pages, conversations };
    }
  }
}

const client = new FixieClient({ url: plan.url, apiKey: plan.apiKey });
// As the useFixie React hook builds it: no API key at all.
const anonymous = new FixieClient({ url: plan.url });

const listed = await walk(client, plan.agentId, plan.limit);
const picked = listed.conversations[Math.floor(listed.conversations.length / 2)];
const fetched = await client.getConversation({ agentId: plan.agentId, conversationId: picked.id });

const legacyPage = await client.requestJson(`/api/v1/agents/${plan.legacyAgentId}/conversations?limit=1`);
const legacyListed = legacyPage.conversations[0];
const legacyFetched = await client.getConversation({ agentId: plan.legacyAgentId, conversationId: legacyListed.id });

const publicPage = await client.requestJson(`/api/v1/agents/${plan.publishedAgentId}/conversations?limit=1`);
const publicListed = publicPage.conversations[0];
const publicFetched = await anonymous.getConversation({
  agentId: plan.publishedAgentId,
  conversationId: publicListed.id,
});

const badKey = new FixieClient({ url: plan.url, apiKey: plan.badKey });
const errors = {
  badKey: await failure(badKey.requestJson(`/api/v1/agents/${plan.agentId}/conversations`)),
  unknownAgent: await failure(client.requestJson(`/api/v1/agents/${plan.unknownAgentId}/conversations`)),
  unknownConversation: await failure(
    client.getConversation({ agentId: plan.agentId, conversationId: plan.unknownConversationId })
  ),
  anonymousPrivate: await failure(anonymous.getConversation({ agentId: plan.agentId, conversationId: picked.id })),
};

console.log(
  JSON.stringify({
    walk: listed,
    picked,
    fetched,
    legacy: { listed: legacyListed, fetched: legacyFetched },
    published: { listed: publicListed, fetched: publicFetched },
    errors,
  })
);

// An independent ActivityPub peer built on Fedify: it resolves a Hiroba theme by WebFinger,
// follows it with a signed request, waits for the Accept and for the Announce of a new
// proposal, then replies to the proposal and likes it; then it looks up each object it is
// given (a method) and says what it read. The Rust test
// `interop::a_fedify_account_follows_replies_likes_and_votes` drives it through stdin/stdout:
// it prints READY, FOLLOWED, ANNOUNCED <id> and DONE, and reads the theme's handle first;
// then it reads commands until the line `bye`: `LOOKUP <url>` prints `LOOKUP <json>` (the
// class Fedify read, the name, content and attribution); `EXPECT_ANSWER <page>` waits for the
// `Update` of that Page and the municipality's `Note` in reply to it (its `Create`, as the
// theme announces it) and prints `ANSWERED <json>` (the Note's text and the accounts it
// mentions); `EXPECT_ARTICLE` waits for a `Create` of an `Article` (announced by the theme),
// prints `ARTICLE <json>`, replies to it and prints `REPLIED`;
// `EXPECT_POLL` waits for a `Create` of a `Question` from the theme and prints `POLL <json>`
// (its options as Fedify read them), votes for its first option the way Mastodon does (a
// `Note` with `name` in reply to it), then waits for the `Update` that counts the vote and
// prints `TALLY <json>`; `OUTBOX` traverses the theme's outbox and prints `OUTBOX <json>` (the
// ideas it lists); `FOLLOW <n>` follows the theme again with a Follow of its own id;
// `EXPECT_REJECT <follow id>`, `EXPECT_BLOCK`, `EXPECT_UNDO_BLOCK` and `EXPECT_ACCEPT <follow
// id>` wait for what a moderator's block and its lifting send, and print what arrived.
import { createServer } from "node:http";
import { createInterface } from "node:readline";
import { createFederation, generateCryptoKeyPair, MemoryKvStore } from "@fedify/fedify";
import { Accept, Announce, Article, Block, Create, Endpoints, Follow, Like, Mention, Note, Person, PUBLIC_COLLECTION, Question, Reject, traverseCollection, Undo, Update } from "@fedify/vocab";
import { Temporal } from "@js-temporal/polyfill";

const say = (line) => process.stdout.write(`${line}\n`);
const fail = (why) => {
  process.stderr.write(`fedify peer: ${why}\n`);
  process.exit(1);
};

const federation = createFederation({ kv: new MemoryKvStore(), allowPrivateAddress: true });
const keys = await generateCryptoKeyPair("RSASSA-PKCS1-v1_5");
const received = { accept: null, accepts: [], rejects: [], blocks: [], undos: [], announces: [], updates: [], creates: [], tallies: [] };

// A Question's options (`oneOf` or `anyOf`) with their counts, as Fedify reads them.
const readPoll = async (question) => {
  const options = [];
  let multiple = false;
  for await (const option of question.getExclusiveOptions()) options.push(option);
  if (options.length === 0) {
    multiple = true;
    for await (const option of question.getInclusiveOptions()) options.push(option);
  }
  const read = [];
  for (const option of options) {
    const replies = await option.getReplies();
    read.push({ name: option.name?.toString() ?? null, votes: replies?.totalItems ?? null });
  }
  return {
    id: question.id?.href ?? null,
    attributedTo: question.attributionId?.href ?? null,
    multiple,
    endTime: question.endTime?.toString() ?? null,
    closed: question.closed !== null,
    voters: question.voters,
    options: read,
  };
};
let notify = () => {};

federation
  .setActorDispatcher("/users/{identifier}", async (ctx, identifier) => {
    if (identifier !== "resident") return null;
    const pairs = await ctx.getActorKeyPairs(identifier);
    return new Person({
      id: ctx.getActorUri(identifier),
      preferredUsername: identifier,
      name: "Fedify resident",
      inbox: ctx.getInboxUri(identifier),
      endpoints: new Endpoints({ sharedInbox: ctx.getInboxUri() }),
      publicKey: pairs[0].cryptographicKey,
    });
  })
  .setKeyPairsDispatcher(async (_ctx, identifier) => (identifier === "resident" ? [keys] : []));

federation
  .setInboxListeners("/users/{identifier}/inbox", "/inbox")
  .on(Accept, async (_ctx, accept) => {
    received.accept = accept;
    received.accepts.push(accept.objectId?.href ?? null);
    notify();
  })
  .on(Reject, async (_ctx, reject) => {
    // The Follow it rejects, read as embedded (it is this peer's own).
    const follow = await reject.getObject({ crossOrigin: "trust" });
    received.rejects.push({ actor: reject.actorId?.href ?? null, follow: follow?.id?.href ?? null });
    notify();
  })
  .on(Block, async (_ctx, block) => {
    received.blocks.push({ id: block.id?.href ?? null, actor: block.actorId?.href ?? null });
    notify();
  })
  .on(Undo, async (_ctx, undo) => {
    const undone = await undo.getObject({ crossOrigin: "trust" });
    received.undos.push({ type: undone?.constructor?.name ?? null, id: undone?.id?.href ?? null });
    notify();
  })
  .on(Announce, async (_ctx, announce) => {
    received.announces.push(announce);
    // What a group announces of its own server's authors (the municipality's answers,
    // results and drafts): the Create, read as embedded, with its object.
    const inner = await announce.getObject({ crossOrigin: "trust" }).catch(() => null);
    if (inner instanceof Create) await recordCreate(inner);
    notify();
  })
  .on(Update, async (_ctx, update) => {
    received.updates.push(update);
    // A poll's tally: read the Question as Fedify understands it.
    const object = await update.getObject();
    if (object instanceof Question) received.tallies.push(await readPoll(object));
    notify();
  })
  .on(Create, async (_ctx, create) => {
    await recordCreate(create);
    notify();
  });

// Reads a Create's object as Fedify understands it, with its mentions.
async function recordCreate(create) {
  const object = await create.getObject({ crossOrigin: "trust" });
  const mentions = [];
  if (object) {
    for await (const tag of object.getTags()) {
      if (tag instanceof Mention && tag.href) mentions.push(tag.href.href);
    }
  }
  received.creates.push({ create, object, mentions });
}

const server = createServer(async (req, res) => {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (Array.isArray(value)) value.forEach((v) => headers.append(name, v));
    else if (value !== undefined) headers.set(name, value);
  }
  const request = new Request(`http://${req.headers.host}${req.url}`, {
    method: req.method,
    headers,
    body: ["GET", "HEAD"].includes(req.method) ? undefined : Buffer.concat(chunks),
  });
  const response = await federation.fetch(request, {
    contextData: undefined,
    onNotFound: () => new Response("not found", { status: 404 }),
    onNotAcceptable: () => new Response("not acceptable", { status: 406 }),
  });
  res.writeHead(response.status, Object.fromEntries(response.headers));
  res.end(Buffer.from(await response.arrayBuffer()));
});
await new Promise((resolve) => server.listen(0, process.env.PEER_HOST || "127.0.0.3", resolve));
const base = `http://${process.env.PEER_HOST || "127.0.0.3"}:${server.address().port}`;
const ctx = federation.createContext(new URL(base), undefined);
say(`READY ${base}`);

const lines = createInterface({ input: process.stdin });
const nextLine = () => new Promise((resolve) => lines.once("line", resolve));
const waitFor = (predicate, what) =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), 30_000);
    const check = () => {
      const found = predicate();
      if (found) {
        clearTimeout(timer);
        resolve(found);
      }
    };
    notify = check;
    check();
  });

try {
  const handle = (await nextLine()).trim();
  const theme = await ctx.lookupObject(handle);
  if (!theme) fail(`could not resolve ${handle}`);
  const sender = { identifier: "resident" };
  await ctx.sendActivity(
    sender,
    theme,
    new Follow({ id: new URL(`${base}/follows/1`), actor: ctx.getActorUri("resident"), object: theme.id }),
  );
  await waitFor(() => received.accept, "the Accept");
  say("FOLLOWED");

  const announce = await waitFor(
    () => received.announces.find((a) => a.objectId && !a.objectId.href.includes("/activities/")),
    "the Announce of a proposal",
  );
  const pageId = announce.objectId;
  say(`ANNOUNCED ${pageId.href}`);

  await ctx.sendActivity(
    sender,
    theme,
    new Create({
      id: new URL(`${base}/notes/1/create`),
      actor: ctx.getActorUri("resident"),
      to: PUBLIC_COLLECTION,
      ccs: [theme.id],
      object: new Note({
        id: new URL(`${base}/notes/1`),
        attribution: ctx.getActorUri("resident"),
        replyTarget: pageId,
        content: "<p>Fedifyから返信します</p>",
        to: PUBLIC_COLLECTION,
        ccs: [theme.id],
        published: Temporal.Now.instant(),
      }),
    }),
  );
  await ctx.sendActivity(
    sender,
    theme,
    new Like({ id: new URL(`${base}/likes/1`), actor: ctx.getActorUri("resident"), object: pageId }),
  );
  say("DONE");
  for (;;) {
    const line = (await nextLine()).trim();
    if (line.startsWith("LOOKUP ")) {
      const object = await ctx.lookupObject(line.slice("LOOKUP ".length));
      const read = object && {
        class: object.constructor.name,
        isArticle: object instanceof Article,
        name: object.name?.toString() ?? null,
        content: object.content?.toString() ?? null,
        attributedTo: object.attributionId?.href ?? null,
        url: object.url?.href ?? null,
      };
      say(`LOOKUP ${JSON.stringify(read)}`);
    } else if (line.startsWith("EXPECT_ANSWER ")) {
      const page = line.slice("EXPECT_ANSWER ".length);
      await waitFor(() => received.updates.find((u) => u.objectId?.href === page), "the Update of the Page");
      const reply = await waitFor(
        () => received.creates.find((c) => c.object instanceof Note && c.object.replyTargetId?.href === page),
        "the theme's Note in reply",
      );
      say(`ANSWERED ${JSON.stringify({
        actor: reply.create.actorId?.href ?? null,
        content: reply.object.content?.toString() ?? null,
        mentions: reply.mentions,
      })}`);
    } else if (line === "EXPECT_ARTICLE") {
      const found = await waitFor(
        () => received.creates.find((c) => c.object instanceof Article),
        "the Article",
      );
      say(`ARTICLE ${JSON.stringify({ id: found.object.id?.href ?? null, name: found.object.name?.toString() ?? null })}`);
      await ctx.sendActivity(
        sender,
        theme,
        new Create({
          id: new URL(`${base}/notes/2/create`),
          actor: ctx.getActorUri("resident"),
          to: PUBLIC_COLLECTION,
          ccs: [theme.id],
          object: new Note({
            id: new URL(`${base}/notes/2`),
            attribution: ctx.getActorUri("resident"),
            replyTarget: found.object.id,
            content: "<p>結果を読みました</p>",
            to: PUBLIC_COLLECTION,
            ccs: [theme.id],
            published: Temporal.Now.instant(),
          }),
        }),
      );
      say("REPLIED");
    } else if (line === "EXPECT_POLL") {
      const found = await waitFor(
        () => received.creates.find((c) => c.object instanceof Question),
        "the Question",
      );
      const poll = await readPoll(found.object);
      say(`POLL ${JSON.stringify(poll)}`);
      await ctx.sendActivity(
        sender,
        theme,
        new Create({
          id: new URL(`${base}/votes/1/activity`),
          actor: ctx.getActorUri("resident"),
          to: theme.id,
          object: new Note({
            id: new URL(`${base}/votes/1`),
            attribution: ctx.getActorUri("resident"),
            name: poll.options[0].name,
            replyTarget: found.object.id,
            to: theme.id,
          }),
        }),
      );
      const tally = await waitFor(
        () => received.tallies.find((t) => t.id === poll.id && t.voters >= 1),
        "the tally that counts the vote",
      );
      say(`TALLY ${JSON.stringify(tally)}`);
    } else if (line === "OUTBOX") {
      // What a server that follows the theme backfills from: the ideas in its outbox,
      // every page of it, as Fedify traverses a collection.
      const outbox = await theme.getOutbox();
      const ideas = [];
      for await (const item of traverseCollection(outbox)) {
        if (!(item instanceof Announce)) continue;
        const create = await item.getObject({ crossOrigin: "trust" });
        const page = create instanceof Create ? await create.getObject({ crossOrigin: "trust" }) : null;
        if (page?.id) ideas.push(page.id.href);
      }
      say(`OUTBOX ${JSON.stringify(ideas)}`);
    } else if (line.startsWith("FOLLOW ")) {
      const n = line.slice("FOLLOW ".length);
      await ctx.sendActivity(
        sender,
        theme,
        new Follow({ id: new URL(`${base}/follows/${n}`), actor: ctx.getActorUri("resident"), object: theme.id }),
      );
      say(`SENT ${base}/follows/${n}`);
    } else if (line.startsWith("EXPECT_REJECT ")) {
      const follow = line.slice("EXPECT_REJECT ".length);
      const reject = await waitFor(() => received.rejects.find((r) => r.follow === follow), "the Reject");
      say(`REJECTED ${JSON.stringify(reject)}`);
    } else if (line === "EXPECT_BLOCK") {
      const block = await waitFor(() => received.blocks[0], "the Block");
      say(`BLOCKED ${JSON.stringify(block)}`);
    } else if (line === "EXPECT_UNDO_BLOCK") {
      const undo = await waitFor(() => received.undos.find((u) => u.type === "Block"), "the Undo of the Block");
      say(`UNBLOCKED ${JSON.stringify(undo)}`);
    } else if (line.startsWith("EXPECT_ACCEPT ")) {
      const follow = line.slice("EXPECT_ACCEPT ".length);
      await waitFor(() => received.accepts.includes(follow), "the Accept");
      say(`ACCEPTED ${follow}`);
    } else {
      break;
    }
  }
} catch (error) {
  fail(error.stack || String(error));
}
server.close();
process.exit(0);

// Reads each of Hiroba's own examples (`federation-spec/examples/hiroba-*.json`, the folder
// given as the first argument) with Fedify's vocabulary, as a Fedify server reads what it
// receives, and prints one JSON line per file: the class Fedify read, its id, and the class
// of its object (read as embedded, whatever its origin). The Rust test
// `interop::fedify_reads_every_example` checks them against the files.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Object as ASObject } from "@fedify/vocab";

const folder = process.argv[2];
for (const name of readdirSync(folder).filter((n) => n.startsWith("hiroba-")).sort()) {
  const document = JSON.parse(readFileSync(join(folder, name), "utf8"));
  let read;
  try {
    const object = await ASObject.fromJsonLd(document);
    let inner = null;
    // An object given as a link is not read; an embedded one is.
    if (typeof document.object === "object" && document.object !== null) {
      const embedded = await object.getObject({ crossOrigin: "trust", documentLoader: refuse });
      inner = embedded?.constructor?.name ?? null;
    }
    read = { name, class: object.constructor.name, id: object.id?.href ?? null, object: inner };
  } catch (error) {
    read = { name, error: String(error?.message ?? error) };
  }
  process.stdout.write(`${JSON.stringify(read)}\n`);
}

// Nothing is fetched: an object that is only a link stays unread.
async function refuse(url) {
  throw new Error(`not fetched: ${url}`);
}

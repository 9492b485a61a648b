// `npm run golden`: regenerates fixtures/golden/ from the committed fixtures (deterministic, about a second).
// `npm run golden -- --trim-aws-schema` first re-trims fixtures/aws-schema-golden.json from the real provider's
// schema (dumped once and cached, testkit/aws-schema.ts).
import { writeFileSync } from "node:fs";
import { awsSchema } from "./aws-schema.js";
import { AWS_GOLDEN_SCHEMA, generateGolden, GOLDEN_DIR, trimAwsSchema } from "./golden.js";

if (process.argv.includes("--trim-aws-schema")) {
  writeFileSync(AWS_GOLDEN_SCHEMA, JSON.stringify(trimAwsSchema(await awsSchema()), null, 1) + "\n");
  console.error(`wrote ${AWS_GOLDEN_SCHEMA}`);
}
await generateGolden(GOLDEN_DIR);
console.error(`regenerated ${GOLDEN_DIR}`);

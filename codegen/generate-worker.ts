// A worker thread of generateProvider: generates its share of the types and posts back their index entries.
import { parentPort, workerData } from "node:worker_threads";
import { generateTypes, type PackageContext, type TypeJob } from "./generate-types.js";

const { context, jobsJson } = workerData as { context: PackageContext; jobsJson: string };
try {
  parentPort!.postMessage({ entries: generateTypes(context, JSON.parse(jobsJson) as TypeJob[]) });
} catch (error) {
  parentPort!.postMessage({ error: error instanceof Error ? error.message : String(error) });
}

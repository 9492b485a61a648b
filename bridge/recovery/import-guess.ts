// What a create that failed without state leaves the bridge to reason about: the name of the object it may have
// made (to look for it on the retry), and whether the failure says an object by that name existed already (then
// it may be someone else's, and is never taken over without the user saying so).

// Most named cloud objects are imported by their name; these arguments usually hold it.
const NAME_ARGUMENTS = ["name", "bucket", "identifier"];

/** The import ID an object made by an earlier failed create most likely has, or undefined if there is no name. */
export function guessImportId(args: Record<string, unknown>): string | undefined {
  for (const key of NAME_ARGUMENTS) if (typeof args[key] === "string" && args[key] !== "") return args[key];
  const named = Object.keys(args)
    .sort()
    .find((key) => key.endsWith("_name") && typeof args[key] === "string" && args[key] !== "");
  return named ? (args[named] as string) : undefined;
}

// AWS (EntityAlreadyExists, BucketAlreadyOwnedByYou, ResourceAlreadyExistsException, InvalidGroup.Duplicate) and
// the wording other providers use for a name that is taken. Not every HTTP 409: AWS also answers 409 for
// operations that conflict in time, after which the object may well be ours.
const EXISTING_OBJECT =
  /already (?:exists|in use|used|taken|owned)|AlreadyExists|AlreadyOwnedByYou|\.Duplicate\b|\bDuplicate\w*Exception|uniqueness_error/i;

export function reportsExistingObject(details: string): boolean {
  return EXISTING_OBJECT.test(details);
}

// A local S3-compatible server (s3rver, files in a temp dir) on 127.0.0.1 for LanceDB's object-store
// path, and the environment that points the AWS SDK conventions LanceDB follows at it.
import S3rver from "s3rver";
import FilesystemStore, { type ListObjectsOptions, type ListObjectsResult } from "s3rver/lib/stores/filesystem.js";
import { makeTempDir } from "./temp-dirs.js";

// s3rver 3.7.1 lists a prefix with a delimiter by walking folders, and skips every folder below a
// common prefix before it has seen a key there, so a "folder" holding only subfolders (a Lance
// table: `entities.lance/_versions/…`, `entities.lance/data/…`) is never listed and LanceDB's
// `tableNames()` comes back empty. Real S3 lists it. This derives the common prefixes from the
// full listing instead, which is what S3 specifies.
const listObjects = FilesystemStore.prototype.listObjects;
FilesystemStore.prototype.listObjects = async function (bucket: string, options: ListObjectsOptions): Promise<ListObjectsResult> {
  if (!options.delimiter) return listObjects.call(this, bucket, options);
  const prefix = options.prefix ?? "";
  const all = await listObjects.call(this, bucket, { ...options, delimiter: "", maxKeys: Number.POSITIVE_INFINITY });
  const commonPrefixes = new Set<string>();
  const objects = all.objects.filter((object) => {
    const at = object.key.indexOf(options.delimiter!, prefix.length);
    if (at !== -1) commonPrefixes.add(object.key.slice(0, at + 1));
    return at === -1;
  });
  return { objects, commonPrefixes: [...commonPrefixes].sort(), isTruncated: false };
};

/** A running loopback S3 server with one bucket. */
export interface S3Server {
  /** The bucket, already created. */
  bucket: string;
  /** Folder where s3rver keeps the objects (`<dir>/<bucket>/<key>…`). */
  dir: string;
  /** `AWS_ENDPOINT`, `AWS_ALLOW_HTTP`, credentials and region for it. */
  env: Record<string, string>;
  close(): Promise<void>;
}

/** Starts s3rver on 127.0.0.1 (an ephemeral port) with bucket `bucket`. */
export async function startS3Server(bucket = "codesearch"): Promise<S3Server> {
  const dir = await makeTempDir("codesearch-s3-");
  const server = new S3rver({ address: "127.0.0.1", port: 0, silent: true, directory: dir, configureBuckets: [{ name: bucket }] });
  const { port } = await server.run();
  return {
    bucket,
    dir,
    env: {
      AWS_ENDPOINT: `http://127.0.0.1:${port}`,
      AWS_ALLOW_HTTP: "true",
      AWS_ACCESS_KEY_ID: "S3RVER",
      AWS_SECRET_ACCESS_KEY: "S3RVER",
      AWS_REGION: "us-east-1",
    },
    close: () => server.close(),
  };
}

// A CI pipeline's deploy step: set the image (with a change-cause), wait for the rollout, and when
// it exceeds its progress deadline roll back to the revision that ran before and wait for that.
//   npm run ci-deploy -- deployment/web -n default --container app --image nginx:1.27 [--change-cause TEXT] [--timeout 10m]
// Exit 0: rolled out. 1: failed and rolled back (both revisions named). 2: usage. 3: the rollback failed too.
// 4: the server refused the token (missing, unknown, expired, or not allowed to change this Deployment).
import { request } from "../lib/connection.ts";
import { durationMs, errorLine, fail, nodeSubscriptionClient, parseInvocation, refused, usage } from "../lib/cli.ts";
import { SetImageMutation } from "../lib/operations.ts";
import { deploy } from "./deploy.ts";

const COMMAND = "ci-deploy";
const { target, namespace, name, values } = parseInvocation(COMMAND, process.argv.slice(2), process.env, {
  container: { type: "string" },
  image: { type: "string" },
  "change-cause": { type: "string" },
  timeout: { type: "string" },
});
const container = values.container ?? usage(COMMAND, "--container is required");
const image = values.image ?? usage(COMMAND, "--image is required");
const timeoutMs = durationMs(values.timeout ?? "0") ?? usage(COMMAND, `invalid --timeout ${JSON.stringify(values.timeout)} (e.g. 90s, 5m)`);
const changeCause = values["change-cause"] ?? `ci-deploy: ${container}=${image}`;

const client = nodeSubscriptionClient(target);
deploy({
  target,
  client,
  namespace,
  name,
  container,
  image,
  timeoutMs,
  change: () => request(target, SetImageMutation, { name, namespace, container, image, changeCause }),
  say: (line) => console.log(line),
  error: (line) => process.stderr.write(line + "\n"),
}).then(
  (code) => {
    void client.dispose();
    process.exit(code);
  },
  (err) => fail(errorLine(err, target), refused(err) ? 4 : 1),
);

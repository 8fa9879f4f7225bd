// The S3 connection flags `vigil restore` and `vigil backups list` share with vigil-runtime.
// The backup modules (and the AWS SDK behind them) load only when such a command runs.
import type { Command } from "commander";

export function withS3Flags(command: Command): Command {
  return command
    .option("--s3-endpoint <url>", "S3-compatible endpoint (env VIGIL_S3_ENDPOINT); default: AWS")
    .option("--s3-region <region>", "S3 region (env VIGIL_S3_REGION, AWS_REGION)")
    .option("--s3-force-path-style", "path-style bucket addressing (env VIGIL_S3_FORCE_PATH_STYLE)");
}

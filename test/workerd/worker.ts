/**
 * A Cloudflare Worker that runs the shared core suite inside workerd: mod.ts is
 * bundled in (esbuild), as users bundle it. POST the suite's setting; it
 * answers with each case's result.
 */
import * as mod from "../../mod.ts";
import { runCoreCases } from "../support/core-suite.ts";
import type { CoreSetting } from "../support/core-suite.ts";

export default {
  async fetch(request: Request): Promise<Response> {
    const setting = (await request.json()) as CoreSetting;
    return Response.json(await runCoreCases(mod, setting));
  },
};

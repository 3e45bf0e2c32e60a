// Maps (version, action) to a handler; ECS actions require the matching RAM permission.
import type { Handler } from './context';
import { err } from './errors';
import { INSTANCE_HANDLERS } from './instances';
import { INVOCATION_HANDLERS } from './invocations';
import { isAllowed } from './policies';
import { STS_HANDLERS } from './sts';

export interface Product {
  name: 'Sts' | 'Ecs';
  host: string;
  handlers: Record<string, Handler>;
}

const requireEcsPermission =
  (action: string, h: Handler): Handler =>
  (state, ctx) => {
    if (!isAllowed(ctx.identity, `ecs:${action}`)) {
      throw err(
        403,
        'Forbidden.RAM',
        "User not authorized to operate on the specified resource, or this API doesn't support RAM.",
      );
    }
    return h(state, ctx);
  };

const ECS_HANDLERS: Record<string, Handler> = Object.fromEntries(
  Object.entries({ ...INSTANCE_HANDLERS, ...INVOCATION_HANDLERS }).map(([a, h]) => [a, requireEcsPermission(a, h)]),
);

export const PRODUCTS: Record<string, Product> = {
  '2015-04-01': { name: 'Sts', host: 'sts.aliyuncs.com', handlers: STS_HANDLERS },
  '2014-05-26': { name: 'Ecs', host: 'ecs.aliyuncs.com', handlers: ECS_HANDLERS },
};

export function route(action: string | undefined, version: string | undefined): { product: Product; handler: Handler } {
  if (!action)
    throw err(
      400,
      'MissingParameter',
      'The input parameter "Action" that is mandatory for processing this request is not supplied.',
    );
  const product = version === undefined ? undefined : PRODUCTS[version];
  if (!product) throw err(400, 'InvalidVersion', `Specified parameter Version ${version ?? ''} is not valid.`);
  const handler = product.handlers[action];
  if (!handler) throw err(404, 'InvalidApi.NotFound', 'Specified api is not found, please check your url and method.');
  return { product, handler };
}

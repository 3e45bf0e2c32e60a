// The real Alibaba Cloud SDK clients, configured for one identity and region.
import Ecs from '@alicloud/ecs20140526';
import Sts from '@alicloud/sts20150401';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import type { CloudConfig } from './cloudConfig';

/** An access key pair, with a security token when it comes from STS. Never leaves the worker. */
export interface AccessKey {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
}

function sdkConfig(key: AccessKey, cloud: CloudConfig, regionId: string): $OpenApiUtil.Config {
  return new $OpenApiUtil.Config({
    accessKeyId: key.accessKeyId,
    accessKeySecret: key.accessKeySecret,
    securityToken: key.securityToken,
    regionId,
    endpoint: cloud.endpoint,
    protocol: cloud.protocol,
    readTimeout: cloud.readTimeoutMs,
    // httpx applies connectTimeout as the socket's idle timeout for the whole request, so a smaller value
    // than readTimeout would cut slow answers short (and make the call look failed after it took effect).
    connectTimeout: Math.max(cloud.connectTimeoutMs, cloud.readTimeoutMs),
  });
}

export function stsClient(key: AccessKey, cloud: CloudConfig, regionId = 'cn-hangzhou'): Sts {
  return new Sts(sdkConfig(key, cloud, regionId));
}

export function ecsClient(key: AccessKey, cloud: CloudConfig, regionId: string): Ecs {
  return new Ecs(sdkConfig(key, cloud, regionId));
}

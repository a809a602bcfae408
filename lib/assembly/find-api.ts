import { CdkLocalError, ErrorCodes } from '../errors.js';
import type { ApiSpec } from './api-spec.js';

function namesOf(api: ApiSpec): string[] {
  const withinStack = api.constructPath.split('/').slice(1).join('/');
  const names = [api.constructPath, withinStack, api.logicalId, `${api.stackName}:${api.logicalId}`, api.name];
  if (api.kind === 'url') {
    const fn = api.function;
    names.push(fn.constructPath, fn.constructPath.split('/').slice(1).join('/'), fn.functionName, fn.logicalId);
  }
  return names;
}

/**
 * Finds the APIs and function URLs a user names: by construct path (with or without the
 * stack), logical ID, `Stack:LogicalId` or name; a function URL also by its function's path
 * or name. Every API that answers to the name is taken (a name may be shared); none throws
 * {@link ErrorCodes.API_NOT_FOUND} listing what there is.
 */
export function findApis(apis: readonly ApiSpec[], name: string): ApiSpec[] {
  const wanted = name.trim().replace(/^\/+/, '').replace(/\/Resource$/, '');
  const found = apis.filter((api) => namesOf(api).includes(wanted));
  if (found.length > 0) return found;
  const lower = wanted.toLowerCase();
  const loose = apis.filter((api) => namesOf(api).some((candidate) => candidate.toLowerCase() === lower));
  if (loose.length > 0) return loose;
  const there = apis.length === 0 ? 'the app has none' : `the app has ${apis.map((api) => api.constructPath).join(', ')}`;
  throw new CdkLocalError(ErrorCodes.API_NOT_FOUND, `No API or function URL '${name}' (${there}); name one by construct path, logical ID or name.`);
}

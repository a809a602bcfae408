export { Authorizers, authorizeHttp, authorizeRest, authorizeUrl, authorizeWebSocket, withAuthorization, type Allowed, type Authorization, type AuthorizersOptions, type Refused } from './authorize.js';
export { describeAuthorization } from './describe-authorization.js';

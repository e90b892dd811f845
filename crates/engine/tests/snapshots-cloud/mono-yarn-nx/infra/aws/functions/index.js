// Written by Slipway: CloudFront asks the bucket for exact keys, so a page's address is given its
// file here, at the edge, before the cache: /docs/ and /docs both read /docs/index.html.
// Addresses of files (with an extension) pass unchanged.
function handler(event) {
var request = event.request;
var uri = request.uri;
if (uri.endsWith('/')) {
request.uri = uri + 'index.html';
} else if (uri.split('/').pop().indexOf('.') === -1) {
request.uri = uri + '/index.html';
}
return request;
}

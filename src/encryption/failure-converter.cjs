// Loaded by path (DataConverter.failureConverterPath) by clients, workers and the workflow bundle,
// hence plain CommonJS: failure messages and stack traces go into an encoded payload, so the
// payload codec encrypts them (history then shows only "Encoded failure").
const { DefaultFailureConverter } = require('@temporalio/common');

exports.failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });

'use strict';

// Deliberately bad: a hard-coded AWS key for the secret scanner to find.
// The value below is the documented, inactive example key from the AWS docs.
module.exports = {
  region: 'eu-west-1',
  awsAccessKeyId: 'AKIAIOSFODNN7EXAMPLE',
};

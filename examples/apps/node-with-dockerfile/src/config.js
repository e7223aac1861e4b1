'use strict';

// Deliberately bad: a hard-coded AWS key for orchkit's secret scanner to find. An obvious fake
// (0 is not in a real key's alphabet), so other secret scanners run over this package stay quiet.
module.exports = {
  region: 'eu-west-1',
  awsAccessKeyId: 'AKIA0000FAKE0KEY0000',
};

// Shard 2 of 2 of the PyTorch export check over the zoo (see pytorch-zoo-suite.ts).
import { pytorchZooSuite } from './pytorch-zoo-suite.js';

pytorchZooSuite(1, 2);

// Zoo-wide ONNX export checks, shard 2 of 2 (see zoo-suite.ts).
import { zooExportSuite } from './zoo-suite.js';

zooExportSuite(1, 2);

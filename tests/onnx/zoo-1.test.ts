// Zoo-wide ONNX export checks, shard 1 of 2 (see zoo-suite.ts).
import { zooExportSuite } from './zoo-suite.js';

zooExportSuite(0, 2);

/**
 * Runs the documented example (examples/oc-client.test.ts) as part of the suite, so the example an
 * OC developer copies cannot rot: importing it registers its describe blocks here.
 */
import '../../examples/oc-client.test.ts';

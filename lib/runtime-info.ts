import { nativeBinding, type NativeRuntimeInfo } from './binding.js';

/**
 * What this process runs on: the ONNX Runtime library and version (once a model is loaded)
 * and the SIMD level the kernels chose.
 *
 * @example
 * console.log(runtimeInfo()); // { onnxRuntimeVersion: '1.30.0', cpuLevel: 'avx512', … }
 */
export function runtimeInfo(): NativeRuntimeInfo {
  return nativeBinding().runtimeInfo();
}

import { resolveDotted } from '../model/imports';
import type { ModuleClass } from '../model/types';
import type { Evidence, PatternDefinition, RecognizeContext } from './_types';
import { evidence, firstSubmoduleNamed, match } from './_util';

/**
 * State-space sequence model (S4, S4D, S5, Mamba): the class holds or computes a discretized linear
 * state space — `A_log` / `A_real` / `log_dt` / `inv_dt` parameters, Mamba's `dt_proj` + `x_proj`,
 * a selective-scan kernel (`selective_scan_fn`, `mamba_chunk_scan_combined`), a discretization
 * (`dA = exp(dt * A)`), an S4 kernel via Vandermonde/Cauchy products, or an FFT convolution of the
 * input with the kernel of its SSM kernel submodule. A layer built from the `mamba_ssm` library
 * counts, like a library attention layer counts for attention.
 *
 * Decisions: Hyena (FFT long conv with an implicit MLP filter), exponential-moving-average layers
 * (Mega), linear attention, a causal conv1d alone, MambaOut (gated CNN without SSM) and LSTM/GRU are
 * not state-space; wrappers holding a user SSM layer (`self.mixer = Mamba(...)` of the same project)
 * are not either.
 */

const SCAN_CALL = /^(selective_scan\w*|mamba_inner_fn\w*|mamba_inner_ref|mamba_chunk_scan\w*|mamba_split_conv1d_scan\w*|selective_state_update\w*|ssd_\w+|chunk_scan_combined|ssm_scan|s4_scan|s5_scan|pscan|log_vandermonde\w*|vandermonde\w*|cauchy\w*|mamba_scan\w*)$/;
const SSM_PARAMETER = /^(A_log|A_logs|A_real|A_imag|log_A_real|A_re|A_im|Lambda_re|Lambda_im|log_dt|inv_dt|dt_bias|log_step|log_Lambda\w*)$/;
const DISCRETIZED = /^(dA|dB|dBx|deltaA|deltaB\w*|dtA|A_bar|B_bar|Lambda_bar|dA_cumsum|Abar|Bbar|discrete_A|discrete_B|dA_log)$/;
const STEP_SIZE = /^(dt|delta|deltas|discrete_time_step|time_step|dt_\w+|step|Delta|log_dt|inv_dt)$/;
const STATE_MATRIX = /^(A|A_\w+|Lambda\w*|self)$/;
const WEAK_WORD = /^(inv_dt|log_dt|dt_min|dt_max|dt_rank|dt_init\w*|dt_scale|A_log|ssm_state|ssm_states|d_state|dt_proj|x_proj|dt_limit)$/;
const LIBRARY_SSM = /^(mamba_ssm|mamba|s4|s5|state_spaces)\b/;

const stateSpace: PatternDefinition = {
  id: 'state-space',
  name: 'State-space model',
  recognize(cls: ModuleClass, context: RecognizeContext) {
    const strong: Evidence[] = [];

    const scan = cls.calls.find((c) => SCAN_CALL.test(c.name));
    if (scan) strong.push(evidence(scan.line, `${scan.name}`));

    const registered = [
      ...cls.parameters.map((p) => ({ name: p.name, line: p.line })),
      // S4: `self.register("log_dt", log_dt, lr)`
      ...cls.initCalls.filter((c) => /^self\.register\w*$/.test(c.callee) && c.args[0]).map((c) => ({ name: c.args[0].replace(/^['"]|['"]$/g, ''), line: c.line })),
    ];
    const ssmParameter = registered.find((p) => SSM_PARAMETER.test(p.name));
    if (ssmParameter) strong.push(evidence(ssmParameter.line, `SSM parameter ${ssmParameter.name}`));

    const dtProj = firstSubmoduleNamed(cls, 'dt_proj');
    const xProj = firstSubmoduleNamed(cls, 'x_proj');
    if (dtProj && xProj) strong.push(evidence(dtProj.line, 'input-dependent step size (dt_proj + x_proj)'));

    const discretization = [...cls.assigns, ...cls.initAssigns].find(
      (a) =>
        (a.targets.some((t) => DISCRETIZED.test(t.replace(/^self\./, ''))) && /exp|\bA\b|dt|delta/.test(a.value)) ||
        (/\bexp\b/.test(a.value) && a.reads.some((r) => STEP_SIZE.test(r)) && a.reads.some((r) => STATE_MATRIX.test(r) && r !== 'self')),
    );
    if (discretization) strong.push(evidence(discretization.line, 'discretization exp(dt·A)'));

    const associative = cls.calls.find((c) => c.name === 'associative_scan');
    if (associative && [...cls.words].some((w) => /Lambda|B_bar|A_bar/.test(w))) strong.push(evidence(associative.line, 'parallel scan of the linear recurrence'));

    if (strong.length > 0) return match(0.75, strong.slice(0, 4), Math.min(0.2, 0.08 * (strong.length - 1)));

    // S4 / S4D layer: FFT convolution of the input with the kernel its SSM kernel module generates.
    const fft = cls.calls.find((c) => /^(rfft|irfft|fft|ifft)$/.test(c.name));
    if (fft) {
      const kernelCall = cls.calls.find((c) => c.selfAttr !== undefined && /kernel|ssm|s4/i.test(c.selfAttr));
      const kernelLayer = kernelCall && firstSubmoduleNamed(cls, kernelCall.selfAttr);
      const kernelIsSsm = kernelLayer ? isSsmClass(kernelLayer.ctorName, context) || /SSM|S4|S5|Kernel/.test(kernelLayer.ctorName) : kernelCall !== undefined && kernelCall.selfAttr === 'kernel';
      const skipD = cls.parameters.some((p) => p.name === 'D');
      if (kernelCall && kernelIsSsm) {
        return match(0.7, [evidence(kernelCall.line, 'SSM convolution kernel'), evidence(fft.line, 'FFT convolution')], skipD ? 0.1 : 0);
      }
    }

    // A layer of a state-space library (`from mamba_ssm import Mamba`).
    const imports = context.file.imports ?? new Map<string, string>();
    for (const call of [...cls.initCalls, ...cls.calls]) {
      if (!/Mamba|S4|S5|SSM/.test(call.name) || /Config$|Cache$|Output$/.test(call.name) || context.classesByName.has(call.name)) continue;
      if (LIBRARY_SSM.test(resolveDotted(call.callee, imports))) return match(0.7, [evidence(call.line, `${call.name} from a state-space library`)]);
    }

    // S4 kernel base classes: step-size parameterization without the rest in view.
    // Only names this class defines (locals, its own attributes, parameters): an `_init_weights` that
    // touches `module.A_log` of other modules is not a state-space layer.
    const defined = new Set([
      ...[...cls.assigns, ...cls.initAssigns].flatMap((a) => a.targets.map((t) => t.replace(/^self\./, ''))),
      ...cls.methods.flatMap((m) => m.params),
    ]);
    const own = new Set([
      ...[...cls.assigns, ...cls.initAssigns].flatMap((a) => a.targets.filter((t) => t.startsWith('self.')).map((t) => t.slice(5))),
      ...cls.methods.flatMap((m) => m.params),
    ]);
    const weak = [...defined].filter((w) => WEAK_WORD.test(w));
    if (weak.length >= 2 && weak.some((w) => /^(inv_dt|log_dt|A_log)$/.test(w)) && weak.some((w) => own.has(w))) {
      const line = cls.line;
      return match(0.6, [evidence(line, `SSM step-size parameters (${weak.slice(0, 3).join(', ')})`)]);
    }
    return null;
  },
};

/** Classes being checked, so that kernels referring to each other do not recurse forever. */
const visiting = new Set<string>();

/** Whether a same-file class is itself a state-space module (S4D holding its S4DKernel). */
function isSsmClass(name: string, context: RecognizeContext): boolean {
  const cls = context.classesByName.get(name);
  if (!cls || visiting.has(name)) return false;
  visiting.add(name);
  try {
    return stateSpace.recognize(cls, context) !== null;
  } finally {
    visiting.delete(name);
  }
}

export default stateSpace;

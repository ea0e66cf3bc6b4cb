"""Matrix products for compiled code: BLAS's gemm called directly, not through ``np.dot``.

``np.dot`` in compiled code calls the same BLAS routine (SciPy's ``dgemm``/``sgemm``), but Numba
types and builds its implementation anew at each call site, with its shape checks, its copies of
non-contiguous operands and its error paths: the mini-batch kernels' three products took about
a fifth of their first compilation. Here each product is one call, with the arguments Numba
itself passes, so the results are the same bits.

BLAS is column-major and the kernels' matrices are stored row by row; a row-major matrix read
column-major is its transpose, so C = op(A) @ op(B) is asked of BLAS as C^T = op(B)^T @ op(A)^T.
"""
from __future__ import annotations

import llvmlite.binding as llvm
from llvmlite import ir
from numba import njit, types
from numba.core import cgutils
from numba.extending import get_cython_function_address, intrinsic

from .numba_math import CALLED_FROM_COMPILED_CODE

# SciPy's BLAS under names of our own, which the machine code refers to (never to this process's
# addresses, so that it can be cached on disk): the JIT's linker resolves them when the code is
# compiled or loaded from the cache, so they are registered on import, before either (code loaded
# with the names unknown crashed its process: seen). Numba imports SciPy's BLAS itself before it
# first compiles or loads anything, so this costs no import.
SYMBOLS = {types.float64: "backprop_blas_dgemm", types.float32: "backprop_blas_sgemm"}
for _symbol in SYMBOLS.values():
    llvm.add_symbol(_symbol, get_cython_function_address("scipy.linalg.cython_blas", _symbol[-5:]))


@intrinsic
def gemm(typingctx, trans_a, trans_b, m, n, k, a, a0, lda, b, b0, ldb, c, c0, ldc):
    """Fortran BLAS's C = op(A) @ op(B) (alpha 1, beta 0), column-major: op(A) (m, k) from the flat
    array a at offset a0 with leading dimension lda, op(B) (k, n) from b at b0, C (m, n) into c at
    c0; trans_a/trans_b: whether op transposes. a, b and c share one dtype, float32 or float64."""
    if c.dtype not in SYMBOLS or a.dtype != c.dtype or b.dtype != c.dtype:
        return None
    signature = types.void(trans_a, trans_b, m, n, k, a, a0, lda, b, b0, ldb, c, c0, ldc)

    def codegen(context, builder, sig, args):
        values = dict(zip(("trans_a", "trans_b", "m", "n", "k", "a", "a0", "lda", "b", "b0", "ldb", "c", "c0",
                           "ldc"), zip(args, sig.args)))
        char, int32 = ir.IntType(8), ir.IntType(32)
        real = context.get_value_type(c.dtype)

        def by_reference(value):  # Fortran takes every argument by address
            return cgutils.alloca_once_value(builder, value)

        def flag(name):
            value, kind = values[name]
            transposed = context.cast(builder, value, kind, types.boolean)
            return by_reference(builder.select(transposed, ir.Constant(char, ord("t")), ir.Constant(char, ord("n"))))

        def integer(name):
            value, kind = values[name]
            return by_reference(context.cast(builder, value, kind, types.int32))

        def data(name, offset):
            array = context.make_array(values[name][1])(context, builder, values[name][0])
            return builder.gep(array.data, [context.cast(builder, *values[offset], types.intp)])

        function = cgutils.get_or_insert_function(builder.module, ir.FunctionType(ir.VoidType(), [
            char.as_pointer(), char.as_pointer(), int32.as_pointer(), int32.as_pointer(), int32.as_pointer(),
            real.as_pointer(), real.as_pointer(), int32.as_pointer(), real.as_pointer(), int32.as_pointer(),
            real.as_pointer(), real.as_pointer(), int32.as_pointer()]), SYMBOLS[c.dtype])
        builder.call(function, [flag("trans_a"), flag("trans_b"), integer("m"), integer("n"), integer("k"),
                                by_reference(ir.Constant(real, 1.0)), data("a", "a0"), integer("lda"),
                                data("b", "b0"), integer("ldb"), by_reference(ir.Constant(real, 0.0)),
                                data("c", "c0"), integer("ldc")])
        return context.get_dummy_value()

    return signature, codegen


@njit(cache=True, error_model="numpy", **CALLED_FROM_COMPILED_CODE)
def matmul(a, a0, a_transposed, b, b0, b_transposed, c, c0, m, k, n):
    """C = op(A) @ op(B), every matrix stored row by row in a flat array: C (m, n) at c0 in c;
    op(A) (m, k) is A stored (m, k) at a0 in a, or stored (k, m) if a_transposed; op(B) (k, n) is
    B stored (k, n) at b0 in b, or (n, k) if b_transposed. Same dtype throughout."""
    lda = m if a_transposed else k  # the stored rows' lengths: BLAS's leading dimensions
    ldb = k if b_transposed else n
    gemm(b_transposed, a_transposed, n, m, k, b, b0, ldb, a, a0, lda, c, c0, n)

#ifndef UNIONSTATE_MODELS_NASH_NASH_H_
#define UNIONSTATE_MODELS_NASH_NASH_H_

// The asymmetric Nash bargaining solution with the status quo as the
// disagreement point, issue by issue (Nash 1950; as used for EU decisions
// in Thomson, Stokman, Achen & Koenig (eds.), The European Union Decides,
// Cambridge UP 2006, and Schneider, Finke & Bailer 2010, Political Studies
// 58(1)). Equations: shared/reference/models.md, section 3.
//
// Utilities are quadratic losses, U_i(x) = -s_i (x - x_i)^2, for actor i
// with position x_i, salience s_i and capability c_i. With d the status quo,
// the forecast is
//
//   x* = argmax_{x in F} sum_i c_i log(U_i(x) - delta_i)
//
// i.e. the maximiser of the Nash product prod_i (U_i(x) - delta_i)^{c_i},
// where
//   * F, the veto set, holds the outcomes every veto holder weakly prefers
//     to the status quo: the intersection over veto holders v of the
//     interval between d and 2 x_v - d, inside the scale. Veto
//     holders are the actors flagged `veto = true`, and every actor on an
//     issue whose rule is "unanimity".
//   * delta_i is the disagreement utility: U_i(d) for a veto holder, who
//     can hold out for the status quo; for an actor without a veto, who
//     cannot, the worst utility it can be pushed to inside F (min over F of
//     U_i). When every actor holds a veto this is Nash's solution with
//     disagreement point d exactly; when nobody does, F is the whole scale.
// Actors with zero salience or capability do not enter the product.
//
// The objective is strictly concave, so x* is unique; it is found by
// bisection on its derivative to machine precision.
//
// Veto: when F is the status quo alone (veto holders want to move in
// opposite directions, or one sits at the status quo) the outcome is d,
// `agreement` is false, and `blocking` names the veto holders who refuse
// the direction the capability- and salience-weighted mean points to (all
// veto holders sitting at d when it points nowhere). An issue without a
// status quo has no veto set: F is the whole scale and delta_i the worst
// point on it for everyone.
//
// Parameters
//   name  type  default  meaning
//   veto  bool  true     honour veto holders (false: nobody holds a veto,
//                        F is the whole scale and the status quo plays no role)
//
// Output: one round (round 0); round 0 carries the issue values
// "veto_set_min" and "veto_set_max", the ends of F.

#include <memory>

#include "unionstate/model.h"

namespace unionstate {

const ModelInfo& NashInfo();
Result<std::unique_ptr<Model>> MakeNash(const Parameters& parameters);

}  // namespace unionstate

#endif  // UNIONSTATE_MODELS_NASH_NASH_H_

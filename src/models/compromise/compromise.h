#ifndef UNIONSTATE_MODELS_COMPROMISE_COMPROMISE_H_
#define UNIONSTATE_MODELS_COMPROMISE_COMPROMISE_H_

// The compromise model: the capability- and salience-weighted mean position.
//
//   outcome(issue) = sum_i c_i s_i x_i / sum_i c_i s_i
//
// over the actors i that take a position on the issue, with capability c_i,
// salience s_i and position x_i. It is the "compromise model" of Van den Bos
// (1991) and Achen (2006) in Thomson, Stokman, Achen & Koenig (eds.), The
// European Union Decides (Cambridge UP, 2006), ch. 4 and 10, the "Nash
// bargaining solution"/"mean voter" of the exchange-model literature
// (decide's NBS) and BDM's weighted mean. On the DEU data it has the lowest
// mean absolute error of the models tested there (about 23 on 0..100;
// shared/oracles/deu_compromise_nbs).
//
// The model has no notion of a veto: it forecasts the weighted mean as the
// agreement, and `agreement` is true whenever that mean differs from the
// status quo. An issue on which no actor has positive weight keeps its
// status quo (the middle of the scale when it has none), with no agreement.
//
// Parameters (name, type, default: meaning)
//   weights, choice, capability_salience: what weighs a position, one of
//     capability_salience (c_i * s_i), salience (s_i: equal capabilities)
//     or none (1: the plain mean).
//
// Output: one round (round 0, the input positions); no model-specific fields.

#include <memory>

#include "unionstate/model.h"

namespace unionstate {

const ModelInfo& CompromiseInfo();
Result<std::unique_ptr<Model>> MakeCompromise(const Parameters& parameters);

}  // namespace unionstate

#endif  // UNIONSTATE_MODELS_COMPROMISE_COMPROMISE_H_

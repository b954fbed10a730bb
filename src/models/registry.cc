// The list of models. Adding a model: include its header and add one line
// (docs/adding-a-model.md).

#include "models/bdm/bdm.h"
#include "models/compromise/compromise.h"
#include "models/exchange/exchange.h"
#include "models/nash/nash.h"
#include "models/parity/parity.h"
#include "models/smp/smp.h"
#include "unionstate/model.h"

namespace unionstate {

std::span<const RegisteredModel> RegisteredModels() {
  static const RegisteredModel kModels[] = {
      {&CompromiseInfo(), &MakeCompromise},
      {&NashInfo(), &MakeNash},
      {&ParityInfo(), &MakeParity},
      {&BdmInfo(), &MakeBdm},
      {&ExchangeInfo(), &MakeExchange},
      {&SmpInfo(), &MakeSmp},
  };
  return kModels;
}

}  // namespace unionstate

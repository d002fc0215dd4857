// The access model's backend state (src/pg/access.cpp).
#pragma once

namespace npda::pg {

// From _PG_init: forget the person an application acts for (npda.act_as) when
// the transaction ends or the subtransaction that named them rolls back.
void register_access_callbacks();

}  // namespace npda::pg

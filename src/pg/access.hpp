// The access model's backend state: the person an application acts for
// (src/pg/access.cpp) and the row policies' scope (src/pg/scope.cpp).
#pragma once

#include <cstdint>

namespace npda::pg {

// From _PG_init: forget the person an application acts for (npda.act_as) when
// the transaction ends or the subtransaction that named them rolls back.
void register_access_callbacks();

// The npda.npda_user id this transaction acts for (npda.act_as); 0 = nobody.
std::int64_t acting_user_id();

// From register_access_callbacks: the executor hooks that count top-level
// statements and the catalogue callbacks that tell the scope a role changed.
void register_scope_hooks();

}  // namespace npda::pg

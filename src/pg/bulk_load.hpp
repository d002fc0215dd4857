// The bulk-load flag: while the submission path writes a whole file, the
// statement-level KPI triggers stand aside and the file is scored once from
// memory afterwards (npda._bulk_load_active() is what the triggers ask).
#pragma once

namespace npda::pg {

// While a BulkLoadScope is alive the statement-level KPI triggers do nothing:
// the submission path writes a whole file and then scores it once from memory.
// A transaction-end callback also clears the flag, so an error can never leave
// the triggers switched off.
class BulkLoadScope {
public:
    BulkLoadScope();
    ~BulkLoadScope();
    BulkLoadScope(const BulkLoadScope &) = delete;
    BulkLoadScope &operator=(const BulkLoadScope &) = delete;
};
bool bulk_load_active();
void register_bulk_load_reset();  // from _PG_init

}  // namespace npda::pg

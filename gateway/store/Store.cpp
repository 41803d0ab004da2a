#include "gateway/store/Store.h"

#include <typeinfo>

namespace Hookgate {

POCO_IMPLEMENT_EXCEPTION(StoreUnavailableException, Poco::RuntimeException, "Store unavailable")

} // namespace Hookgate

/* l_tensor.c — placeholder until this area's binding lands. */
#include "binding.h"

void glimpse_open_tensor(lua_State *L)
{
    (void)L;
}

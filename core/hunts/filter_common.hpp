// What the hunts' record filters share: the core types a filter names (event references, the
// funnel, keys, server sets, times, the window partial), brought into rareconn::hunts once.
#pragma once

#include "core/funnel.hpp"
#include "core/key_codec.hpp"
#include "core/server_set.hpp"
#include "core/window_aggregator.hpp"

namespace rareconn::hunts {

using core::EventRef;
using core::Funnel;
using core::FunnelStepName;
using core::KeyBy;
using core::RecordStatus;
using core::ServerSet;
using core::Ticks;
using core::WindowPartial;

}  // namespace rareconn::hunts
